/**
 * `-bootstrap-expect=N`: a new server waits until gossip shows N servers expecting N, asks each
 * of them whether it already belongs to a cluster, and only if none does bootstraps raft with
 * exactly those servers. Every server of the set computes the same initial configuration, so
 * they all write the same first log entry. A server that finds an existing cluster (or a peer
 * that bootstrapped with it as a voter) follows that instead, so two clusters never form.
 */
import type { Logger } from 'pino';
import type { ServerMember } from './membership.js';
import type { ServerStatus__Output } from './rpc.js';

export interface BootstrapperOptions {
  selfId: string;
  expect: number;
  aliveServers(): ServerMember[];
  status(rpcAddr: string): Promise<ServerStatus__Output>;
  /** Starts raft, bootstrapping with `voters`, or without them to wait for a leader to add us. */
  start(voters: readonly string[] | undefined): Promise<void>;
  logger: Logger;
  intervalMs?: number;
}

export type BootstrapDecision = { kind: 'wait'; reason: string } | { kind: 'bootstrap'; voters: string[] } | { kind: 'follow' };

/** The decision for one round, given the servers seen and what each of them said. */
export function decideBootstrap(selfId: string, expect: number, servers: readonly ServerMember[], statuses: readonly (ServerStatus__Output | undefined)[]): BootstrapDecision {
  for (const s of statuses) {
    if (!s?.initialized) continue;
    if (s.voters.includes(selfId)) return { kind: 'bootstrap', voters: [...s.voters].sort() };
    return { kind: 'follow' };
  }
  const mismatch = servers.find((s) => s.expect !== 0 && s.expect !== expect);
  if (mismatch) return { kind: 'wait', reason: `server ${mismatch.name} expects ${mismatch.expect} servers, this one ${expect}` };
  const candidates = servers.filter((s) => s.expect === expect);
  if (candidates.length < expect) return { kind: 'wait', reason: `${candidates.length} of ${expect} servers seen` };
  if (statuses.some((s) => s === undefined)) return { kind: 'wait', reason: 'not every server answered' };
  return { kind: 'bootstrap', voters: candidates.map((s) => s.id).sort() };
}

export class Bootstrapper {
  readonly #o: BootstrapperOptions;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #done = false;
  #lastReason = '';

  constructor(o: BootstrapperOptions) {
    this.#o = o;
  }

  start(): void {
    this.#timer = setInterval(() => void this.#round(), this.#o.intervalMs ?? 500);
    this.#timer.unref();
    void this.#round();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #round(): Promise<void> {
    if (this.#busy || this.#done) return;
    this.#busy = true;
    try {
      const servers = this.#o.aliveServers();
      const statuses = await Promise.all(servers.map((s) => (s.id === this.#o.selfId ? Promise.resolve(undefined) : this.#o.status(s.rpcAddr).catch(() => undefined))));
      // Our own entry counts as answered (we know we are not initialized).
      const answered = statuses.map((st, i) => (servers[i]?.id === this.#o.selfId ? ({ initialized: false, voters: [] } as unknown as ServerStatus__Output) : st));
      const d = decideBootstrap(this.#o.selfId, this.#o.expect, servers, answered);
      if (d.kind === 'wait') {
        if (d.reason !== this.#lastReason) this.#o.logger.info(`raft: waiting to bootstrap: ${d.reason}`);
        this.#lastReason = d.reason;
        return;
      }
      this.#done = true;
      this.stop();
      if (d.kind === 'bootstrap') await this.#o.start(d.voters);
      else {
        this.#o.logger.info('raft: found an existing cluster; waiting to be added by its leader');
        await this.#o.start(undefined);
      }
    } catch (err) {
      this.#o.logger.warn({ err: String(err) }, 'raft: bootstrap round failed');
    } finally {
      this.#busy = false;
    }
  }
}
