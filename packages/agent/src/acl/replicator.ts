/**
 * ACL replication (Consul's leader routines in acl_replication.go): while this server leads a
 * secondary datacenter, one loop per table — policies and roles always, global tokens when token
 * replication is on — asks the primary for its table with a blocking query (stale allowed,
 * carrying the replication token), diffs it against the local copy and applies the deletes and
 * upserts through this datacenter's raft in bounded batches. Rounds are rate-limited (1 a second,
 * bursts of 5); a failed round is retried after 2, 4, ... up to 64 seconds, from a full diff.
 */
import { setTimeout as wait } from 'node:timers/promises';
import type { AclPolicy, AclReplicateCommand, AclRole, AclToken, StateStore } from '@concord/state';
import type { Logger } from 'pino';
import { type AclDiff, type DiffKind, deleteBatches, diffAcl, upsertBatches } from './replication-diff.js';
import type { AclReplicationStatus, AclReplicationType } from './replication-status.js';

/** What each loop asks the primary for (`ACL.Read` kinds). */
export type ReplicationQuery = 'policies' | 'roles' | 'global-tokens';

export interface AclReplicatorOptions {
  primaryDatacenter: string;
  /** `acl.enable_token_replication`. */
  tokens: boolean;
  /** The replication token now (it may be set at run time); nothing runs without one. */
  replicationToken(): string | undefined;
  isLeader(): boolean;
  state(): StateStore;
  /** A blocking read of the primary's table past `minIndex`. */
  fetch(query: ReplicationQuery, minIndex: number, token: string, signal: AbortSignal): Promise<{ value: unknown; index: number }>;
  /** Applies one batch through raft (this server leads); throws when refused. */
  apply(command: AclReplicateCommand): Promise<void>;
  status: AclReplicationStatus;
  logger: Logger;
  /** Consul's `leader.replication.acl-<table>.status` (1 after a good round, 0 after a failed one) and `.index` gauges. */
  gauges?: { setGauge(key: readonly string[], value: number): void };
  /** The first retry wait (doubling up to 64 of it); 1 s as in Consul. */
  backoffUnitMs?: number;
  /** Rounds per second and burst (Consul's acl_replication_rate 1, burst 5). */
  rate?: { perSecond: number; burst: number };
  /** Batches applied per second at most (Consul's ACLReplicationApplyLimit, 100). */
  applyLimit?: number;
}

interface TableKind<T> extends DiffKind<T> {
  type: AclReplicationType;
  plural: string;
  /** The name in Consul's replication gauges. */
  metric: string;
  query: ReplicationQuery;
  local(state: StateStore): T[];
  command(upserts: T[], deletes: string[]): AclReplicateCommand;
}

const sameList = (a: readonly { ID: string }[], b: readonly { ID: string }[]) => a.length === b.length && a.every((x, i) => x.ID === b[i]?.ID);
/** Service and node identities, compared as written. */
const sameIdentities = (a: Pick<AclToken, 'ServiceIdentities' | 'NodeIdentities'>, b: Pick<AclToken, 'ServiceIdentities' | 'NodeIdentities'>) =>
  JSON.stringify([a.ServiceIdentities ?? [], a.NodeIdentities ?? []]) === JSON.stringify([b.ServiceIdentities ?? [], b.NodeIdentities ?? []]);

export const POLICY_KIND: TableKind<AclPolicy> = {
  type: 'policies',
  plural: 'policies',
  metric: 'acl-policies',
  query: 'policies',
  id: (p) => p.ID,
  modifyIndex: (p) => p.ModifyIndex,
  same: (a, b) => a.Hash === b.Hash && a.Name === b.Name && a.Description === b.Description && a.Rules === b.Rules && a.Datacenters.join(',') === b.Datacenters.join(','),
  local: (s) => s.aclPolicies().value,
  command: (upserts, deletes) => ({ type: 'acl-replicate', table: 'policies', upserts, deletes }),
};

export const ROLE_KIND: TableKind<AclRole> = {
  type: 'roles',
  plural: 'roles',
  metric: 'acl-roles',
  query: 'roles',
  id: (r) => r.ID,
  modifyIndex: (r) => r.ModifyIndex,
  same: (a, b) => a.Hash === b.Hash && a.Name === b.Name && a.Description === b.Description && sameList(a.Policies, b.Policies) && sameIdentities(a, b),
  local: (s) => s.aclRoles().value,
  command: (upserts, deletes) => ({ type: 'acl-replicate', table: 'roles', upserts, deletes }),
};

export const TOKEN_KIND: TableKind<AclToken> = {
  type: 'tokens',
  plural: 'tokens',
  metric: 'acl-tokens',
  query: 'global-tokens',
  id: (t) => t.AccessorID,
  modifyIndex: (t) => t.ModifyIndex,
  same: (a, b) =>
    a.Hash === b.Hash &&
    a.SecretID === b.SecretID &&
    a.Description === b.Description &&
    (a.ExpirationTime ?? '') === (b.ExpirationTime ?? '') &&
    sameList(a.Policies, b.Policies) &&
    sameList(a.Roles, b.Roles) &&
    sameIdentities(a, b),
  // Local tokens of this datacenter are its own: never compared with the primary's.
  local: (s) => s.aclTokens().value.filter((t) => !t.Local),
  command: (upserts, deletes) => ({ type: 'acl-replicate', table: 'tokens', upserts, deletes }),
};

const MAX_BACKOFF_UNITS = 64;

/** Checks the primary's answer: a list of entries with a string ID (a token's AccessorID). */
function entries<T>(value: unknown, kind: TableKind<T>): T[] {
  if (!Array.isArray(value)) throw new Error('the primary answered no list');
  for (const x of value) {
    if (typeof x !== 'object' || x === null || typeof kind.id(x as T) !== 'string') throw new Error('the primary answered a malformed entry');
  }
  return value as T[];
}

/** Waits `ms`, or less when `signal` aborts. */
const sleep = (ms: number, signal: AbortSignal): Promise<void> => wait(ms, undefined, { signal }).catch(() => undefined);

/** A token bucket: `take` waits until a round may start. */
class RoundLimiter {
  #tokens: number;
  #at = Date.now();
  constructor(
    readonly perSecond: number,
    readonly burst: number,
  ) {
    this.#tokens = burst;
  }

  async take(signal: AbortSignal): Promise<void> {
    const now = Date.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) / 1000) * this.perSecond);
    this.#at = now;
    if (this.#tokens < 1) {
      await sleep(((1 - this.#tokens) / this.perSecond) * 1000, signal);
      this.#tokens = 1;
      this.#at = Date.now();
    }
    this.#tokens -= 1;
  }
}

export class AclReplicator {
  readonly #o: AclReplicatorOptions;
  #leading: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(o: AclReplicatorOptions) {
    this.#o = o;
  }

  /** Follows leadership: replicates while this server leads. Returns the stop function. */
  start(): () => void {
    const tick = () => {
      const leader = this.#o.isLeader();
      if (leader && !this.#leading) this.#begin();
      else if (!leader && this.#leading) this.#end();
    };
    this.#timer = setInterval(tick, 250);
    this.#timer.unref();
    tick();
    return () => {
      if (this.#timer) clearInterval(this.#timer);
      this.#timer = undefined;
      this.#end();
    };
  }

  #begin(): void {
    const leading = new AbortController();
    this.#leading = leading;
    this.#o.status.started(this.#o.primaryDatacenter, this.#o.tokens);
    this.#o.logger.info({ source: this.#o.primaryDatacenter, tokens: this.#o.tokens }, 'acl: replication started');
    const loops: Promise<void>[] = [this.#loop(POLICY_KIND, leading.signal), this.#loop(ROLE_KIND, leading.signal)];
    if (this.#o.tokens) loops.push(this.#loop(TOKEN_KIND, leading.signal));
    void Promise.all(loops);
  }

  #end(): void {
    if (!this.#leading) return;
    this.#leading.abort();
    this.#leading = undefined;
    this.#o.status.stopped();
    this.#o.logger.info('acl: replication stopped');
  }

  async #loop<T>(kind: TableKind<T>, signal: AbortSignal): Promise<void> {
    const o = this.#o;
    const limiter = new RoundLimiter(o.rate?.perSecond ?? 1, o.rate?.burst ?? 5);
    const unit = o.backoffUnitMs ?? 1000;
    let last = 0;
    let failures = 0;
    while (!signal.aborted) {
      await limiter.take(signal);
      const token = o.replicationToken();
      if (signal.aborted || !token) continue;
      try {
        last = await this.#round(kind, last, token, signal);
        if (signal.aborted) return;
        o.status.succeeded(kind.type, last);
        o.gauges?.setGauge(['leader', 'replication', kind.metric, 'status'], 1);
        o.gauges?.setGauge(['leader', 'replication', kind.metric, 'index'], last);
        failures = 0;
      } catch (err) {
        if (signal.aborted) return;
        last = 0;
        const message = (err as Error).message;
        o.status.failed(message);
        o.gauges?.setGauge(['leader', 'replication', kind.metric, 'status'], 0);
        o.logger.warn({ err: message, type: kind.type }, 'acl: replication error (will retry if still leader)');
        if (1 << failures < MAX_BACKOFF_UNITS) failures++;
        await sleep((1 << failures) * unit, signal);
      }
    }
  }

  /** One round: fetch, diff, apply. Answers the primary's index it is now in step with. */
  async #round<T>(kind: TableKind<T>, last: number, token: string, signal: AbortSignal): Promise<number> {
    const o = this.#o;
    let remote: T[];
    let index: number;
    try {
      const answer = await o.fetch(kind.query, last, token, signal);
      remote = entries(answer.value, kind);
      index = Math.max(answer.index, 1);
    } catch (err) {
      if (kind.type === 'tokens' && /Permission denied/.test(String((err as Error).message))) {
        throw new Error('failed to retrieve unredacted tokens - replication token in use does not grant acl:write');
      }
      throw new Error(`failed to retrieve remote ACL ${kind.plural}: ${(err as Error).message}`);
    }
    if (signal.aborted) return last;
    // A primary index that moved backwards means the primary was rebuilt: compare everything.
    const since = index < last ? 0 : last;
    const diff: AclDiff<T> = diffAcl(kind.local(o.state()), remote, since, kind);
    const pause = 1000 / (o.applyLimit ?? 100);
    for (const batch of deleteBatches(diff.deletes)) {
      if (signal.aborted) return last;
      await this.#apply(kind.command([], batch), `failed to delete local ACL ${kind.plural}`);
      await sleep(pause, signal);
    }
    for (const batch of upsertBatches(diff.upserts)) {
      if (signal.aborted) return last;
      await this.#apply(kind.command(batch, []), `failed to update local ACL ${kind.plural}`);
      await sleep(pause, signal);
    }
    if (diff.deletes.length + diff.upserts.length > 0) {
      o.logger.debug({ type: kind.type, deletes: diff.deletes.length, upserts: diff.upserts.length, index }, 'acl: replicated');
    }
    return index;
  }

  async #apply(command: AclReplicateCommand, what: string): Promise<void> {
    try {
      await this.#o.apply(command);
    } catch (err) {
      throw new Error(`${what}: ${(err as Error).message}`);
    }
  }
}
