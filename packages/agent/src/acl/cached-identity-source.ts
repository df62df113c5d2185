/**
 * Identities asked of someone else (a server, for a client agent; the primary datacenter, for a
 * secondary's server), kept for `token_ttl`, with Consul's `down_policy` when nobody answers:
 * `extend-cache` and `async-cache` keep using a cached identity; `allow` grants everything but ACL
 * management; `deny` (or nothing cached) grants nothing.
 */
import type { AclConfig } from '../config/acl-config.js';
import type { IdentitySource, ResolvedIdentity } from './resolver.js';

interface CacheEntry {
  identity: ResolvedIdentity | null;
  at: number;
}

const MAX_CACHED = 4096;

export class CachedIdentitySource implements IdentitySource {
  readonly #source: IdentitySource;
  readonly #config: Pick<AclConfig, 'tokenTtlMs' | 'downPolicy'>;
  readonly #now: () => number;
  readonly #identities = new Map<string, CacheEntry>();

  constructor(source: IdentitySource, config: Pick<AclConfig, 'tokenTtlMs' | 'downPolicy'>, now: () => number = Date.now) {
    this.#source = source;
    this.#config = config;
    this.#now = now;
  }

  async lookup(secret: string): Promise<ResolvedIdentity | null> {
    const now = this.#now();
    const hit = this.#identities.get(secret);
    if (hit && now - hit.at < this.#config.tokenTtlMs) return hit.identity;
    try {
      const identity = await this.#source.lookup(secret);
      if (this.#identities.size >= MAX_CACHED) this.#identities.delete(this.#identities.keys().next().value as string);
      this.#identities.set(secret, { identity, at: now });
      return identity;
    } catch {
      return this.#down(hit);
    }
  }

  #down(hit: CacheEntry | undefined): ResolvedIdentity | null {
    const policy = this.#config.downPolicy;
    if ((policy === 'extend-cache' || policy === 'async-cache') && hit) return hit.identity;
    if (policy === 'allow') return { accessorId: '', policies: [{ ID: 'down-policy-allow', ModifyIndex: 0, Rules: DOWN_ALLOW_RULES }] };
    return { accessorId: '', policies: [{ ID: 'down-policy-deny', ModifyIndex: 0, Rules: DOWN_DENY_RULES }] };
  }
}

const everything = (access: string) =>
  ['agent', 'event', 'key', 'node', 'query', 'service', 'session']
    .map((r) => `${r}_prefix "" {\n  policy = "${access}"\n}`)
    .concat([`operator = "${access}"`, `keyring = "${access}"`])
    .join('\n');
const DOWN_ALLOW_RULES = everything('write');
const DOWN_DENY_RULES = `${everything('deny')}\nacl = "deny"`;
