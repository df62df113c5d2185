/**
 * A registrator running in the test process against a dev agent, limited to
 * the containers of one test by a label (every sidecar sees the whole Docker
 * daemon, and test files run in parallel), plus probes of the registry.
 */
import { Resolver } from 'node:dns/promises';
import { type CatalogServiceEntry, ConsulApi } from '@concord/api';
import { Registrator, type RegistratorOptions } from '@concord/registrator';
import type { ExecutionContext } from 'ava';
import { pino } from 'pino';
import { type DevAgent, startDevAgent } from './_agent.js';
import { ensureTestImages, runContainer, uniqueName } from './_docker.js';

export const HOST_IP = '127.0.0.1';
export const HOST_ID = 'node7';

export interface TestSidecar {
  readonly registrator: Registrator;
  /** `key=value` every container of this test carries. */
  readonly label: string;
  stop(): Promise<void>;
}

type SidecarOptions = Partial<Omit<RegistratorOptions, 'registry'>> & {
  readonly label?: string;
  /** Registry address; default the agent's. */
  readonly address?: string;
  /** Docker address (`-docker`); default the local socket. */
  readonly dockerAddress?: string;
};

/** Starts a sidecar (`-ip 127.0.0.1 -hostname node7`, fast retries) for the agent; stopped at teardown. */
export async function startSidecar(t: ExecutionContext, agent: DevAgent, options: SidecarOptions = {}): Promise<TestSidecar> {
  const { label = `concord.test=${uniqueName('t')}`, address = agent.httpAddr, dockerAddress, ...rest } = options;
  const logger = pino({ level: process.env.REGISTRATOR_TEST_LOG ?? 'silent' });
  const registrator = await Registrator.start(
    { registry: { kind: 'consul', address }, ip: HOST_IP, hostname: HOST_ID, retryInterval: 500, requireLabel: label, ...rest },
    { logger, ...(dockerAddress ? { dockerAddress } : {}) },
  );
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await registrator.stop();
  };
  t.teardown(stop);
  return { registrator, label, stop };
}

/** A dev agent (with DNS) and a sidecar for it, the test images ready: the common setup. */
export async function withSidecar(t: ExecutionContext, options: SidecarOptions = {}): Promise<{ agent: DevAgent; api: ConsulApi; sidecar: TestSidecar }> {
  ensureTestImages();
  const agent = await startDevAgent(t, { dns: true });
  const sidecar = await startSidecar(t, agent, options);
  return { agent, api: apiFor(agent), sidecar };
}

/** `docker run -d` of a container carrying the sidecar's label. */
export function run(t: ExecutionContext, sidecar: { label: string }, name: string, args: readonly string[]): Promise<string> {
  return runContainer(t, name, ['-l', sidecar.label, ...args]);
}

export function apiFor(agent: DevAgent): ConsulApi {
  return new ConsulApi({ address: agent.httpAddr });
}

/** Polls `probe` every 50 ms until it returns a value other than `undefined`/`false`; fails after `ms`. */
export async function within<T>(ms: number, what: string, probe: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function catalogEntries(api: ConsulApi, name: string): Promise<CatalogServiceEntry[]> {
  return (await api.catalog.service(name)).value;
}

/** Catalog entries of `name` once there are exactly `count`. */
export function catalogHas(api: ConsulApi, name: string, count: number, ms = 2000): Promise<CatalogServiceEntry[]> {
  return within(ms, `${count} catalog entries for ${name}`, async () => {
    const entries = await catalogEntries(api, name);
    return entries.length === count ? entries : undefined;
  });
}

/** Whether a service ID is neither in the catalog under `name` nor among the agent's services. */
export async function isGone(api: ConsulApi, name: string, id: string): Promise<boolean> {
  const [entries, local] = await Promise.all([catalogEntries(api, name), api.agent.services()]);
  return !entries.some((e) => e.ServiceID === id) && !(id in local);
}

export function goneWithin(api: ConsulApi, name: string, id: string, ms = 2000): Promise<true> {
  return within(ms, `${id} gone`, async () => (await isGone(api, name, id)) || undefined);
}

/** Services of the agent whose ID belongs to this container (`node7:<name>:...`). */
export async function servicesOfContainer(api: ConsulApi, container: string): Promise<string[]> {
  const local = await api.agent.services();
  return Object.keys(local).filter((id) => id.startsWith(`${HOST_ID}:${container}:`));
}

/** SRV answers for `<name>.service.consul` from the agent's DNS server. */
export async function dnsSrv(agent: DevAgent, name: string): Promise<Array<{ port: number; name: string }>> {
  const resolver = new Resolver({ timeout: 500, tries: 1 });
  resolver.setServers([`127.0.0.1:${agent.dnsPort}`]);
  try {
    return await resolver.resolveSrv(`${name}.service.consul`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTFOUND' || (err as NodeJS.ErrnoException).code === 'ENODATA') return [];
    throw err;
  }
}

/** Sleeps; used only where a scenario says "nothing after N s". */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
