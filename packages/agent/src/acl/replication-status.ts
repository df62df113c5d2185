/**
 * What `/v1/acl/replication` reports (Consul's structs.ACLReplicationStatus): kept by a
 * secondary datacenter's leader while it replicates, zero everywhere else. Times are whole
 * seconds in UTC, and Go's zero time when never set.
 */

/** Consul's ACLReplicationType as users see it: roles replicate with policies. */
export type AclReplicationType = 'policies' | 'roles' | 'tokens';

export interface AclReplicationStatusView {
  Enabled: boolean;
  Running: boolean;
  SourceDatacenter: string;
  ReplicationType: string;
  ReplicatedIndex: number;
  ReplicatedRoleIndex: number;
  ReplicatedTokenIndex: number;
  LastSuccess: string;
  LastError: string;
  LastErrorMessage: string;
}

export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** A time as Consul stores it here: rounded to the second, RFC 3339 in UTC. */
export function statusTime(ms: number): string {
  return `${new Date(Math.round(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

export class AclReplicationStatus {
  #s: AclReplicationStatusView = AclReplicationStatus.zero();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  static zero(): AclReplicationStatusView {
    return {
      Enabled: false,
      Running: false,
      SourceDatacenter: '',
      ReplicationType: '',
      ReplicatedIndex: 0,
      ReplicatedRoleIndex: 0,
      ReplicatedTokenIndex: 0,
      LastSuccess: GO_ZERO_TIME,
      LastError: GO_ZERO_TIME,
      LastErrorMessage: '',
    };
  }

  /** Leadership gained in a secondary: replication from `source` runs, of tokens too or not. */
  started(source: string, tokens: boolean): void {
    this.#s.Enabled = true;
    this.#s.Running = true;
    this.#s.SourceDatacenter = source;
    this.#s.ReplicationType = tokens ? 'tokens' : 'policies';
  }

  stopped(): void {
    this.#s.Running = false;
  }

  succeeded(type: AclReplicationType, index: number): void {
    this.#s.LastSuccess = statusTime(this.#now());
    if (type === 'tokens') this.#s.ReplicatedTokenIndex = index;
    else if (type === 'roles') this.#s.ReplicatedRoleIndex = index;
    else this.#s.ReplicatedIndex = index;
  }

  failed(message: string): void {
    this.#s.LastError = statusTime(this.#now());
    this.#s.LastErrorMessage = message;
  }

  view(): AclReplicationStatusView {
    return { ...this.#s };
  }
}
