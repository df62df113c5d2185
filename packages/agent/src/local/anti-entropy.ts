import type { CheckEntry, NodeEntry, NodeRegistration, ServiceEntry } from '@concord/state';
import type { LocalState } from './local-state.js';

/** This node's catalog entries, read from local state on a server or from a server on a client. */
export interface NodeCatalogView {
  node: NodeEntry | undefined;
  services: ServiceEntry[];
  checks: CheckEntry[];
  /** Number of nodes in the cluster (scales the sync period). */
  nodeCount: number;
}

/** What anti-entropy reads from the catalog. */
export interface AntiEntropyCatalog {
  nodeView(node: string): NodeCatalogView | Promise<NodeCatalogView>;
}

export interface AntiEntropyOptions {
  local: LocalState;
  catalog: AntiEntropyCatalog;
  /** Base period of full syncs (Consul's `ae_interval`, 1 minute). */
  intervalMs?: number;
  /** Catalog services on this node owned by the server itself, never removed. */
  reservedServices?: readonly string[];
  /** Catalog checks on this node owned by the servers, never removed. */
  reservedChecks?: readonly string[];
  /** The node entry this agent keeps in the catalog (address, tagged addresses, meta). */
  node?: Omit<NodeRegistration, 'Service' | 'Check' | 'Checks' | 'SkipNodeUpdate'>;
  /** Registers the node entry (a `register` command through the leader). */
  writeNode?(reg: NodeRegistration): Promise<unknown>;
  random?: () => number;
  onError?(err: unknown): void;
}

export interface SyncReport {
  registered: number;
  deregistered: number;
  /** True when the node entry itself was (re)registered. */
  node: boolean;
}

const SCALE_THRESHOLD = 128;
const RETRY_MS = 2000;

/** Consul's cluster-size scale of the full-sync period: 1 up to 128 nodes, +1 per doubling above. */
export function aeScaleFactor(nodes: number): number {
  if (nodes <= SCALE_THRESHOLD) return 1;
  return Math.ceil(Math.log2(nodes) - Math.log2(SCALE_THRESHOLD)) + 1;
}

/** The wait before the next full sync: the interval plus a random stagger of up to scale × interval. */
export function aeDelay(intervalMs: number, nodes: number, random: () => number = Math.random): number {
  return intervalMs + Math.floor(random() * aeScaleFactor(nodes) * intervalMs);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function nodeDiffers(have: NodeEntry | undefined, want: NonNullable<AntiEntropyOptions['node']>): boolean {
  if (!have) return true;
  return (
    have.Address !== want.Address ||
    (want.ID !== undefined && have.ID !== want.ID) ||
    (want.TaggedAddresses !== undefined && !sameJson(have.TaggedAddresses, want.TaggedAddresses)) ||
    (want.NodeMeta !== undefined && !sameJson(have.Meta, want.NodeMeta))
  );
}

function sortedTags(tags: readonly string[]): string[] {
  return [...tags].sort();
}

/**
 * Periodic full sync of the agent's local state into the catalog: registers what is missing
 * or differs, and deregisters services and checks on this node that the agent does not own.
 */
export class AntiEntropy {
  readonly #o: AntiEntropyOptions;
  readonly #interval: number;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;

  constructor(options: AntiEntropyOptions) {
    this.#o = options;
    this.#interval = options.intervalMs ?? 60_000;
  }

  /** Starts the periodic sync; the first full sync runs right away (repairs what a restart left behind). */
  start(): void {
    this.#stopped = false;
    const first = setImmediate(() => this.#syncAndArm());
    first.unref();
  }

  #arm(retrySoon = false): void {
    if (this.#stopped) return;
    // A failed sync (no leader yet, servers unreachable) is retried within seconds, not a period.
    const delay = retrySoon ? Math.min(this.#interval, RETRY_MS) : aeDelay(this.#interval, this.#nodes, this.#o.random);
    this.#timer = setTimeout(() => this.#syncAndArm(), delay);
    this.#timer.unref();
  }

  #syncAndArm(): void {
    if (this.#stopped) return;
    this.syncFull().then(
      () => this.#arm(),
      (err: unknown) => {
        this.#o.onError?.(err);
        this.#arm(true);
      },
    );
  }

  #nodes = 1;

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** One full sync now. */
  async syncFull(): Promise<SyncReport> {
    const { local, catalog } = this.#o;
    const node = local.nodeName;
    const reservedServices = new Set(this.#o.reservedServices ?? ['consul']);
    const reservedChecks = new Set(this.#o.reservedChecks ?? ['serfHealth']);
    const report: SyncReport = { registered: 0, deregistered: 0, node: false };

    const view = await catalog.nodeView(node);
    this.#nodes = Math.max(1, view.nodeCount);
    const want = this.#o.node;
    if (want && nodeDiffers(view.node, want)) {
      // The node entry first: services and checks cannot be registered without it.
      await this.#o.writeNode?.({ ...want });
      report.node = true;
    }
    const remoteServices = new Map(view.services.map((s) => [s.ID, s]));
    const remoteChecks = new Map(view.checks.map((c) => [c.CheckID, c]));

    // Services (and their checks) in the catalog but not owned here.
    const removedServices = new Set<string>();
    for (const id of remoteServices.keys()) {
      if (local.services.has(id) || reservedServices.has(id)) continue;
      local.send({ type: 'deregister', dereg: { Node: node, ServiceID: id } });
      removedServices.add(id);
      report.deregistered++;
    }
    for (const [id, c] of remoteChecks) {
      if (local.checks.has(id) || reservedChecks.has(id) || removedServices.has(c.ServiceID)) continue;
      if (c.ServiceID && reservedServices.has(c.ServiceID)) continue;
      local.send({ type: 'deregister', dereg: { Node: node, CheckID: id } });
      report.deregistered++;
    }

    // Local services missing or different in the catalog.
    const resynced = new Set<string>();
    for (const [id, svc] of local.services) {
      const remote = remoteServices.get(id);
      if (remote && svc.EnableTagOverride && !sameJson(sortedTags(remote.Tags), sortedTags(svc.Tags))) {
        // the catalog's tags win for services that allow overriding them
        local.setServiceTags(id, remote.Tags);
      }
      const current = local.services.get(id) ?? svc;
      const differs =
        !remote ||
        remote.Service !== current.Service ||
        !sameJson(remote.Tags, current.Tags) ||
        remote.Address !== current.Address ||
        remote.Port !== current.Port ||
        !sameJson(remote.Meta, current.Meta) ||
        !sameJson(remote.Weights, current.Weights) ||
        remote.EnableTagOverride !== current.EnableTagOverride ||
        (remote.Kind ?? '') !== (current.Kind ?? '') ||
        !sameJson(remote.TaggedAddresses ?? {}, current.TaggedAddresses ?? {});
      if (differs) {
        local.syncService(id);
        resynced.add(id);
        report.registered++;
      }
    }

    // Local checks missing or different in the catalog.
    for (const id of local.checks.keys()) {
      const want = local.catalogCheck(id);
      if (!want || (want.ServiceID && resynced.has(want.ServiceID))) continue;
      const have = remoteChecks.get(id);
      const differs =
        !have ||
        have.Status !== want.Status ||
        (have.Output !== want.Output && !local.isDeferred(id)) ||
        have.Name !== want.Name ||
        have.Notes !== want.Notes ||
        have.ServiceID !== want.ServiceID ||
        have.Type !== want.Type ||
        have.Interval !== want.Interval ||
        have.Timeout !== want.Timeout;
      if (differs) {
        local.syncCheck(id);
        report.registered++;
      }
    }
    return report;
  }
}
