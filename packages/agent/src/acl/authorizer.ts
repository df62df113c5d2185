/**
 * The decisions a token's policies make, as Consul's `acl.Authorizer`: a policy layer answers
 * allow, deny or "no rule" (default) for each permission; layers are chained, the first one with
 * an opinion decides, and the last is the agent's default policy. Pure: no I/O, no clock.
 */
import type { AccessLevel, NamedResource, NamedRule, PolicyRules, ScalarResource } from './rules.js';
import { NAMED_RESOURCES } from './rules.js';

export type Decision = 'allow' | 'deny' | 'default';
export type Permission = 'read' | 'list' | 'write';

/** A refused permission, as Consul's PermissionDeniedError names it (`key:write` on "a/b"). */
export interface Denial {
  resource: string;
  level: Permission;
  name?: string;
}

/** Consul's denial message for a refused permission (`acl.PermissionDeniedError.Error()`). */
export function denialMessage(accessorId: string | undefined, d: Denial | undefined): string {
  if (!d) return 'Permission denied';
  const who = accessorId ? `token with AccessorID '${accessorId}'` : 'provided token';
  const on = d.name ? ` on "${d.name}"` : '';
  return `Permission denied: ${who} lacks permission '${d.resource}:${d.level}'${on}`;
}

/** One layer of decisions. */
export interface DecisionLayer {
  named(resource: NamedResource, name: string, need: Permission): Decision;
  scalar(resource: ScalarResource, need: Permission): Decision;
  keyWritePrefix(prefix: string): Decision;
  /** Whether every name of a resource may be read (Consul's ServiceReadAll/NodeReadAll). */
  readAll(resource: NamedResource): Decision;
}

/** Consul's `enforce`: what a rule's access level says about a needed permission. */
export function enforce(access: AccessLevel, need: Permission): Decision {
  switch (access) {
    case 'write':
      return 'allow';
    case 'list':
      return need === 'write' ? 'deny' : 'allow';
    case 'read':
      return need === 'read' ? 'allow' : 'deny';
    default:
      return 'deny';
  }
}

interface Leaf {
  exact?: AccessLevel;
  prefix?: AccessLevel;
}

/** One resource's rules: exact names and prefixes, looked up as Consul's radix tree walks. */
class RuleTable {
  readonly #leaves = new Map<string, Leaf>();
  /** Prefix rule names, longest first. */
  #prefixes: string[] = [];

  constructor(exact: readonly NamedRule[], prefix: readonly NamedRule[]) {
    for (const r of exact) this.#leaf(r.name).exact = r.access;
    for (const r of prefix) this.#leaf(r.name).prefix = r.access;
    this.#prefixes = prefix.map((r) => r.name).sort((a, b) => b.length - a.length);
  }

  #leaf(name: string): Leaf {
    let leaf = this.#leaves.get(name);
    if (!leaf) this.#leaves.set(name, (leaf = {}));
    return leaf;
  }

  get empty(): boolean {
    return this.#leaves.size === 0;
  }

  /** An exact rule for the name, else the longest prefix rule that covers it. */
  lookup(name: string): AccessLevel | undefined {
    const exact = this.#leaves.get(name)?.exact;
    if (exact !== undefined) return exact;
    return this.longestPrefix(name);
  }

  longestPrefix(name: string): AccessLevel | undefined {
    for (const p of this.#prefixes) if (name.startsWith(p)) return this.#leaves.get(p)?.prefix;
    return undefined;
  }

  /** Every rule whose name lies at or under `prefix`. */
  *within(prefix: string): Generator<Leaf> {
    for (const [name, leaf] of this.#leaves) if (name.startsWith(prefix)) yield leaf;
  }

  /** Consul's allAllowed: a catch-all prefix rule, then every rule, none of them denying. */
  allAllowed(need: Permission): Decision {
    let decision: Decision = 'default';
    const root = this.#leaves.get('')?.prefix;
    if (root !== undefined) {
      decision = enforce(root, need);
      if (decision === 'deny') return 'deny';
    }
    for (const leaf of this.#leaves.values()) {
      const p = leaf.prefix === undefined ? 'default' : enforce(leaf.prefix, need);
      let d = p;
      if (p !== 'deny' && leaf.exact !== undefined) d = enforce(leaf.exact, need);
      if (d === 'deny') return 'deny';
    }
    return decision;
  }
}

/** The layer compiled from a token's (merged) policy rules. */
export class PolicyLayer implements DecisionLayer {
  readonly #tables: Record<NamedResource, RuleTable>;
  readonly #scalar: PolicyRules['scalar'];

  constructor(rules: PolicyRules) {
    const tables = {} as Record<NamedResource, RuleTable>;
    for (const r of NAMED_RESOURCES) tables[r] = new RuleTable(rules.exact[r], rules.prefix[r]);
    this.#tables = tables;
    this.#scalar = rules.scalar;
  }

  named(resource: NamedResource, name: string, need: Permission): Decision {
    const table = this.#tables[resource];
    if (table.empty) return 'default';
    const access = table.lookup(name);
    return access === undefined ? 'default' : enforce(access, need);
  }

  scalar(resource: ScalarResource, need: Permission): Decision {
    let access = this.#scalar[resource];
    // mesh and peering fall back to operator's rule, as in Consul.
    if (access === undefined && (resource === 'mesh' || resource === 'peering')) access = this.#scalar.operator;
    return access === undefined ? 'default' : enforce(access, need);
  }

  keyWritePrefix(prefix: string): Decision {
    const table = this.#tables.key;
    const base = table.longestPrefix(prefix);
    if (base !== undefined && base !== 'write') return 'deny';
    for (const leaf of table.within(prefix)) {
      if ((leaf.prefix !== undefined && leaf.prefix !== 'write') || (leaf.exact !== undefined && leaf.exact !== 'write')) return 'deny';
    }
    return base === undefined ? 'default' : 'allow';
  }

  readAll(resource: NamedResource): Decision {
    return this.#tables[resource].allAllowed('read');
  }
}

/**
 * Consul's static authorizers: `allow` grants everything but ACL management (and snapshots),
 * `deny` grants nothing, `manage` grants everything.
 */
export class StaticLayer implements DecisionLayer {
  constructor(readonly kind: 'allow' | 'deny' | 'manage') {}
  #any(): Decision {
    return this.kind === 'deny' ? 'deny' : 'allow';
  }
  named(): Decision {
    return this.#any();
  }
  scalar(resource: ScalarResource): Decision {
    if (resource === 'acl') return this.kind === 'manage' ? 'allow' : 'deny';
    return this.#any();
  }
  keyWritePrefix(): Decision {
    return this.#any();
  }
  readAll(): Decision {
    return this.#any();
  }
}

const first = (layers: readonly DecisionLayer[], f: (l: DecisionLayer) => Decision): boolean => {
  for (const l of layers) {
    const d = f(l);
    if (d !== 'default') return d === 'allow';
  }
  return false;
};

/**
 * A token's authority: its policy layer chained before the default policy. Every method answers
 * whether the permission is granted.
 */
export class Authorizer {
  /** The permission the last refused check asked for (read at once by whoever refuses the request). */
  #denial: Denial | undefined;

  /** `accessorId`: the token's, for Consul's denial message; undefined when it has none. */
  constructor(
    readonly layers: readonly DecisionLayer[],
    readonly accessorId?: string,
  ) {}

  /** The same decisions, attributed to a token (authorizers are shared by tokens with the same policies). */
  withAccessor(accessorId: string): Authorizer {
    return new Authorizer(this.layers, accessorId);
  }

  /** What the last refused check asked for; cleared by `clearDenial`. */
  get denial(): Denial | undefined {
    return this.#denial;
  }

  clearDenial(): void {
    this.#denial = undefined;
  }

  #judge(ok: boolean, resource: string, level: Permission, name?: string): boolean {
    if (!ok) this.#denial = name === undefined ? { resource, level } : { resource, level, name };
    return ok;
  }

  static allowAll(): Authorizer {
    return new Authorizer([new StaticLayer('allow')]);
  }
  static denyAll(): Authorizer {
    return new Authorizer([new StaticLayer('deny')]);
  }
  static manageAll(): Authorizer {
    return new Authorizer([new StaticLayer('manage')]);
  }
  /** The authorizer of a set of policies, over the agent's default policy. */
  static fromRules(rules: PolicyRules, defaultPolicy: 'allow' | 'deny'): Authorizer {
    return new Authorizer([new PolicyLayer(rules), new StaticLayer(defaultPolicy)]);
  }

  allowed(resource: NamedResource, name: string, need: Permission): boolean {
    return this.#judge(
      first(this.layers, (l) => l.named(resource, name, need)),
      resource,
      need,
      name,
    );
  }
  #scalar(resource: ScalarResource, need: Permission): boolean {
    return this.#judge(
      first(this.layers, (l) => l.scalar(resource, need)),
      resource,
      need,
    );
  }

  keyRead(key: string): boolean {
    return this.allowed('key', key, 'read');
  }
  keyList(prefix: string): boolean {
    return this.allowed('key', prefix, 'list');
  }
  keyWrite(key: string): boolean {
    return this.allowed('key', key, 'write');
  }
  keyWritePrefix(prefix: string): boolean {
    return this.#judge(
      first(this.layers, (l) => l.keyWritePrefix(prefix)),
      'key',
      'write',
      prefix,
    );
  }
  serviceRead(name: string): boolean {
    return this.allowed('service', name, 'read');
  }
  serviceWrite(name: string): boolean {
    return this.allowed('service', name, 'write');
  }
  serviceReadAll(): boolean {
    return this.#judge(
      first(this.layers, (l) => l.readAll('service')),
      'service',
      'read',
    );
  }
  nodeRead(name: string): boolean {
    return this.allowed('node', name, 'read');
  }
  nodeWrite(name: string): boolean {
    return this.allowed('node', name, 'write');
  }
  nodeReadAll(): boolean {
    return this.#judge(
      first(this.layers, (l) => l.readAll('node')),
      'node',
      'read',
    );
  }
  sessionRead(node: string): boolean {
    return this.allowed('session', node, 'read');
  }
  sessionWrite(node: string): boolean {
    return this.allowed('session', node, 'write');
  }
  agentRead(node: string): boolean {
    return this.allowed('agent', node, 'read');
  }
  agentWrite(node: string): boolean {
    return this.allowed('agent', node, 'write');
  }
  eventRead(name: string): boolean {
    return this.allowed('event', name, 'read');
  }
  eventWrite(name: string): boolean {
    return this.allowed('event', name, 'write');
  }
  queryRead(name: string): boolean {
    return this.allowed('query', name, 'read');
  }
  queryWrite(name: string): boolean {
    return this.allowed('query', name, 'write');
  }
  operatorRead(): boolean {
    return this.#scalar('operator', 'read');
  }
  operatorWrite(): boolean {
    return this.#scalar('operator', 'write');
  }
  keyringRead(): boolean {
    return this.#scalar('keyring', 'read');
  }
  keyringWrite(): boolean {
    return this.#scalar('keyring', 'write');
  }
  aclRead(): boolean {
    return this.#scalar('acl', 'read');
  }
  aclWrite(): boolean {
    return this.#scalar('acl', 'write');
  }
  /** Taking and restoring snapshots needs `acl = "write"` (a management token). */
  snapshot(): boolean {
    return this.#scalar('acl', 'write');
  }
}
