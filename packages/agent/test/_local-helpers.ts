/**
 * Helpers for the local-state tests (checks, anti-entropy, persistence): an in-process agent on
 * ephemeral ports, small HTTP calls and bounded polling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { resolveAgentConfig, startAgent } from '../src/index.js';
import type { LocalTimings, RunningAgent } from '../src/agent.js';

let counter = 0;

export interface TestAgent {
  agent: RunningAgent;
  base: string;
  node: string;
}

export interface TestAgentOptions {
  /** Durable server on this data dir instead of `-dev`. */
  dataDir?: string;
  node?: string;
  extraArgs?: string[];
  timings?: LocalTimings;
}

export async function startTestAgent(t: ExecutionContext, options: TestAgentOptions = {}): Promise<TestAgent> {
  const node = options.node ?? `local-${process.pid}-${++counter}`;
  const mode = options.dataDir ? ['-server', '-bootstrap-expect=1', '-data-dir', options.dataDir, '-bind', '127.0.0.1'] : ['-dev'];
  const argv = [
    ...mode,
    '-node',
    node,
    '-http-port',
    '0',
    '-dns-port',
    '-1',
    '-server-port',
    '0',
    '-serf-lan-port',
    '0',
    '-serf-wan-port',
    '0',
    '-log-level',
    'error',
    ...(options.extraArgs ?? []),
  ];
  const agent = await startAgent(resolveAgentConfig(argv), options.timings ? { localTimings: options.timings } : {});
  t.teardown(() => agent.close());
  return { agent, base: `http://127.0.0.1:${agent.httpPort}`, node };
}

export function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'concord-local-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function put(base: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'PUT', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

/** PUT that must answer 200. */
export async function putOk(t: ExecutionContext, base: string, path: string, body?: unknown): Promise<void> {
  const res = await put(base, path, body);
  const text = await res.text();
  t.is(res.status, 200, `${path}: ${text}`);
}

export async function getJson<T>(base: string, path: string): Promise<T> {
  const res = await fetch(`${base}${path}`);
  return (await res.json()) as T;
}

export interface HealthCheckView {
  CheckID: string;
  Status: string;
  Output: string;
  ServiceID: string;
  Node: string;
}

/** The checks `/v1/health/checks/<service>` reports, by check ID. */
export async function serviceChecks(base: string, service: string): Promise<Map<string, HealthCheckView>> {
  const list = await getJson<HealthCheckView[]>(base, `/v1/health/checks/${encodeURIComponent(service)}`);
  return new Map(list.map((c) => [c.CheckID, c]));
}

/** The status of one check as `/v1/health/service/<name>` shows it. */
export async function healthStatus(base: string, service: string, checkId: string): Promise<HealthCheckView | undefined> {
  const entries = await getJson<{ Checks: HealthCheckView[] }[]>(base, `/v1/health/service/${encodeURIComponent(service)}`);
  for (const e of entries) for (const c of e.Checks) if (c.CheckID === checkId) return c;
  return undefined;
}

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes; returns the last value. */
export async function waitFor<T>(probe: () => Promise<T> | T, timeoutMs: number, stepMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last = await probe();
  while (!last && Date.now() < end) {
    await new Promise((r) => setTimeout(r, stepMs));
    last = await probe();
  }
  return last;
}

/** Waits until the check shows `status` in `/v1/health/service/<service>`; returns it (or the last view). */
export async function waitForStatus(
  base: string,
  service: string,
  checkId: string,
  status: string,
  timeoutMs: number,
  outputMatches?: RegExp,
): Promise<HealthCheckView | undefined> {
  let last: HealthCheckView | undefined;
  await waitFor(async () => {
    last = await healthStatus(base, service, checkId);
    return last?.Status === status && (outputMatches === undefined || outputMatches.test(last.Output ?? ''));
  }, timeoutMs);
  return last;
}
