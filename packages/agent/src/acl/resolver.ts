/**
 * Token resolution: `resolveToken(secret) -> Authorizer`. An empty secret is the agent's default
 * token (or anonymous); the agent recovery token grants agent write on this node; any other secret
 * is looked up in the replicated state (on a server) or asked of a server (on a client, cached for
 * `token_ttl`, with `down_policy` when no server answers). The rules of a token's policies (and
 * of its roles' policies) are parsed once per policy revision, merged, and chained over the
 * default policy.
 */
import type { StateStore } from '@concord/state';
import { ANONYMOUS_TOKEN_ID, ANONYMOUS_TOKEN_SECRET } from '@concord/state';
import type { AclConfig } from '../config/acl-config.js';
import { permissionDenied as denied } from '../errors/agent-error.js';
import { Authorizer, denialMessage } from './authorizer.js';
import { identityPolicies } from './identities.js';
import { CachedIdentitySource } from './cached-identity-source.js';
import { type PolicyRules, mergeRules, parseRules } from './rules.js';

/** A token as resolution needs it: who it is and the policies it carries (roles' included). */
export interface ResolvedIdentity {
  accessorId: string;
  /** Each policy's ID, revision (ModifyIndex) and rules. */
  policies: { ID: string; ModifyIndex: number; Rules: string }[];
  /** RFC 3339, when the token expires. */
  expirationTime?: string;
}

/** Where token identities come from: the local state on a server, a server on a client. */
export interface IdentitySource {
  /** The identity of a secret, or null when no token has it. Throws when the source cannot answer. */
  lookup(secret: string): Promise<ResolvedIdentity | null>;
  /**
   * A number that changes whenever any lookup's answer may (a server: its ACL tables' index);
   * undefined while answers may change without it (they come from elsewhere).
   */
  version?(): number | undefined;
}

export const ACL_NOT_FOUND = 'ACL not found';
export const PERMISSION_DENIED = 'Permission denied';

export const aclNotFound = () => denied(ACL_NOT_FOUND);
export const permissionDenied = () => denied(PERMISSION_DENIED);
/** 403 naming the token and the permission its last check was refused, in Consul's words. */
export const permissionDeniedBy = (a: Authorizer) => denied(denialMessage(a.accessorId, a.denial));

/**
 * The identity of a secret read from a server's state (what the internal resolve endpoint answers
 * too): the token's policies and its roles' policies, and the synthetic policies of the token's and
 * roles' service and node identities, each only where it applies in `datacenter` (a policy's
 * `Datacenters`, an identity's datacenters), as Consul's resolver does.
 */
export function identityFromState(state: StateStore, secret: string, datacenter: string): ResolvedIdentity | null {
  const token = state.aclTokenBySecret(secret).value;
  if (!token) return null;
  const ids = new Set<string>(token.Policies.map((p) => p.ID));
  const policies: ResolvedIdentity['policies'] = identityPolicies(token, datacenter);
  for (const r of token.Roles) {
    const role = state.aclRole(r.ID).value;
    if (!role) continue;
    for (const p of role.Policies) ids.add(p.ID);
    policies.push(...identityPolicies(role, datacenter));
  }
  for (const id of ids) {
    const p = state.aclPolicy(id).value;
    if (!p || (p.Datacenters.length > 0 && !p.Datacenters.includes(datacenter))) continue;
    policies.push({ ID: p.ID, ModifyIndex: p.ModifyIndex, Rules: p.Rules });
  }
  return { accessorId: token.AccessorID, policies, ...(token.ExpirationTime ? { expirationTime: token.ExpirationTime } : {}) };
}

export class StateIdentitySource implements IdentitySource {
  constructor(
    readonly state: () => StateStore,
    readonly datacenter: string,
  ) {}

  async lookup(secret: string): Promise<ResolvedIdentity | null> {
    return identityFromState(this.state(), secret, this.datacenter);
  }

  version(): number {
    return this.state().aclIndex();
  }
}

/** What the agent's resolver needs besides its config. */
export interface ResolverOptions {
  config: AclConfig;
  nodeName: string;
  source: IdentitySource;
  /** Cache identities for the token TTL (client agents); servers read their state each time. */
  cache: boolean;
  now?: () => number;
}

const MAX_CACHED = 4096;

export class AclResolver {
  readonly #o: ResolverOptions;
  readonly #now: () => number;
  readonly #rules = new Map<string, { rev: number; rules: PolicyRules }>();
  /** Where identities come from: the source itself, or a cache over it (with down_policy). */
  readonly #identities: IdentitySource;
  readonly #authorizers = new Map<string, Authorizer>();
  /** Resolutions from a source with a version, kept while that version holds (a token's expiry is still checked). */
  readonly #resolved = new Map<string, { version: number; authz: Authorizer; expiresAt: number }>();
  /** Tokens set at run time through /v1/agent/token/<kind>. */
  readonly tokens: { default?: string; agent?: string; agentRecovery?: string; replication?: string; dns?: string };

  constructor(options: ResolverOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#identities = options.cache ? new CachedIdentitySource(options.source, options.config, this.#now) : options.source;
    this.tokens = { ...options.config.tokens };
  }

  get enabled(): boolean {
    return this.#o.config.enabled;
  }

  get defaultPolicy(): 'allow' | 'deny' {
    return this.#o.config.defaultPolicy;
  }

  /** The secret a request without a token acts as: the agent's default token, else anonymous. */
  effectiveSecret(secret: string | undefined): string {
    return secret || this.tokens.default || ANONYMOUS_TOKEN_SECRET;
  }

  /**
   * The authorizer of a token when it is known without asking anyone (a server's resolution kept
   * while its ACL tables are unchanged); undefined when it must be resolved with `resolveToken`.
   */
  resolvedToken(secret: string | undefined): Authorizer | undefined {
    if (!this.enabled) return Authorizer.manageAll();
    const s = this.effectiveSecret(secret);
    if (this.tokens.agentRecovery && s === this.tokens.agentRecovery) return undefined;
    const version = this.#o.source.version?.();
    if (version === undefined) return undefined;
    const hit = this.#resolved.get(s);
    return hit && hit.version === version && hit.expiresAt > this.#now() ? hit.authz : undefined;
  }

  /** The authorizer of a request's token. Throws 403 `ACL not found` for an unknown secret. */
  async resolveToken(secret: string | undefined): Promise<Authorizer> {
    if (!this.enabled) return Authorizer.manageAll();
    const s = this.effectiveSecret(secret);
    if (this.tokens.agentRecovery && s === this.tokens.agentRecovery) return this.#recovery();
    const version = this.#o.source.version?.();
    if (version !== undefined) {
      const hit = this.#resolved.get(s);
      if (hit && hit.version === version && hit.expiresAt > this.#now()) return hit.authz;
    }
    const identity = await this.#identity(s);
    if (!identity) {
      // The anonymous token is missing until the leader stores it: the default policy alone.
      if (s === ANONYMOUS_TOKEN_SECRET) return (this.defaultPolicy === 'allow' ? Authorizer.allowAll() : Authorizer.denyAll()).withAccessor(ANONYMOUS_TOKEN_ID);
      throw aclNotFound();
    }
    const expiresAt = identity.expirationTime ? Date.parse(identity.expirationTime) : Number.POSITIVE_INFINITY;
    if (expiresAt <= this.#now()) throw aclNotFound();
    const authz = (await this.#authorizer(identity)).withAccessor(identity.accessorId);
    if (version !== undefined) {
      if (this.#resolved.size >= MAX_CACHED) this.#resolved.clear();
      this.#resolved.set(s, { version, authz, expiresAt });
    }
    return authz;
  }

  /** The accessor ID of a secret (for `token/self` and audit), or undefined. */
  async accessorOf(secret: string | undefined): Promise<string | undefined> {
    if (!this.enabled) return undefined;
    return (await this.#identity(this.effectiveSecret(secret)))?.accessorId;
  }

  #recovery(): Authorizer {
    const rules = mergeRules([]);
    rules.exact.agent.push({ name: this.#o.nodeName, access: 'write' });
    rules.prefix.node.push({ name: '', access: 'read' });
    return Authorizer.fromRules(rules, 'deny');
  }

  #identity(secret: string): Promise<ResolvedIdentity | null> {
    return this.#identities.lookup(secret);
  }

  /** The identity of a secret as this agent's source gives it (what `ACL.ResolveToken` answers). */
  identity(secret: string): Promise<ResolvedIdentity | null> {
    return this.#identities.lookup(secret);
  }

  async #authorizer(identity: ResolvedIdentity): Promise<Authorizer> {
    const key = identity.policies
      .map((p) => `${p.ID}@${p.ModifyIndex}`)
      .sort()
      .join(',');
    const cached = this.#authorizers.get(key);
    if (cached) return cached;
    const parsed: PolicyRules[] = [];
    for (const p of identity.policies) {
      const known = this.#rules.get(p.ID);
      if (known && known.rev === p.ModifyIndex) {
        parsed.push(known.rules);
        continue;
      }
      const rules = await parseRules(p.Rules);
      this.#rules.set(p.ID, { rev: p.ModifyIndex, rules });
      parsed.push(rules);
    }
    const authz = Authorizer.fromRules(mergeRules(parsed), this.defaultPolicy);
    if (this.#authorizers.size >= MAX_CACHED) this.#authorizers.clear();
    this.#authorizers.set(key, authz);
    return authz;
  }
}
