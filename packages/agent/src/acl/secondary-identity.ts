/**
 * Token identities on a server of a secondary datacenter (Consul's serverACLResolverBackend
 * outside the primary). With token replication on, the replicated tables answer: a token found
 * there is used; a token not found is unknown once the tokens table was ever written (replication
 * has run), and is asked of the primary before that. With token replication off (or no
 * replication token), every token is asked of the primary, cached for `token_ttl`, with
 * `down_policy` when the primary does not answer. A local copy whose policies were never
 * replicated yet is not trusted either: the primary answers for it.
 */
import type { StateStore } from '@concord/state';
import { type IdentitySource, type ResolvedIdentity, identityFromState } from './resolver.js';

export interface SecondaryIdentityOptions {
  state: () => StateStore;
  /** This datacenter (policies and identities limited to others are left out). */
  datacenter: string;
  /** The primary's answers, already cached with the down policy. */
  primary: IdentitySource;
  /** Whether global tokens are replicated here (token replication on and a replication token set). */
  tokensReplicated: () => boolean;
}

export class SecondaryIdentitySource implements IdentitySource {
  readonly #o: SecondaryIdentityOptions;

  constructor(o: SecondaryIdentityOptions) {
    this.#o = o;
  }

  async lookup(secret: string): Promise<ResolvedIdentity | null> {
    if (this.#o.tokensReplicated()) {
      const state = this.#o.state();
      const local = identityFromState(state, secret, this.#o.datacenter);
      if (local && state.aclTableIndex('acl-policies') > 0) return local;
      if (!local && state.aclTableIndex('acl-tokens') > 0) return null;
    }
    return this.#o.primary.lookup(secret);
  }

  /** The local tables' index while they answer every lookup; undefined while the primary may. */
  version(): number | undefined {
    if (!this.#o.tokensReplicated()) return undefined;
    const state = this.#o.state();
    if (state.aclTableIndex('acl-tokens') === 0 || state.aclTableIndex('acl-policies') === 0) return undefined;
    return state.aclIndex();
  }
}
