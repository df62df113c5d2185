/**
 * Test helpers for cluster commands: servers that wait for each other
 * (`-bootstrap-expect`), client agents, gossip addresses from the banner,
 * and polling until a condition holds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliResult, type RunningAgent, runCli, startAgent } from './_agent.js';

const SERF_RE = /Cluster Addr: (\S+) \(LAN: (\d+)/;

/** `ip:port` of the agent's LAN gossip listener, from its banner. */
export function serfAddr(agent: RunningAgent): string {
  const m = SERF_RE.exec(agent.output());
  if (!m) throw new Error(`no Cluster Addr line in the banner:\n${agent.output().slice(0, 2000)}`);
  return `${m[1]}:${m[2]}`;
}

/** Data directories made by {@link startDurableAgent}, removed by {@link removeDataDirs}. */
const dataDirs: string[] = [];

/**
 * A non-dev agent with a data directory: a server with `-server
 * -bootstrap-expect=N`, or a client. `join` is its `-retry-join` address;
 * a first server gets an address nothing listens on and is joined by the others.
 */
export async function startDurableAgent(options: {
  readonly server?: { readonly expect: number };
  readonly join?: string;
  readonly extraArgs?: readonly string[];
}): Promise<RunningAgent> {
  const dir = await mkdtemp(join(tmpdir(), 'concord-cluster-'));
  dataDirs.push(dir);
  const role = options.server ? ['-server', `-bootstrap-expect=${options.server.expect}`] : [];
  return startAgent(['-dev=false', ...role, '-data-dir', dir, '-retry-join', options.join ?? '127.0.0.1:1', ...(options.extraArgs ?? [])]);
}

export async function removeDataDirs(): Promise<void> {
  await Promise.all(dataDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** Runs the command until `ok` accepts its result (or 20 s pass) and returns the last result. */
export async function cliUntil(args: readonly string[], addr: string, ok: (res: CliResult) => boolean, timeoutMs = 20_000): Promise<CliResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await runCli(args, { addr });
    if (ok(res) || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Resolves once the process is gone (or rejects after `timeoutMs`). */
export async function processExit(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`process ${pid} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A loopback address nothing listens on: bound, then released. */
export async function closedAddr(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

/** The rows of a columnized table (header first), split on runs of spaces. */
export function tableRows(stdout: string): string[][] {
  return stdout
    .trimEnd()
    .split('\n')
    .map((l) => l.split(/ {2,}/));
}
