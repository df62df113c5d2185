/**
 * Consul's ACL rules language, HCL or JSON, parsed into the resource rules a policy grants:
 * `key`/`key_prefix`, `service`/`service_prefix`, `node`/`node_prefix`, `session`/`session_prefix`,
 * `agent`/`agent_prefix`, `event`/`event_prefix`, `query`/`query_prefix` (each named, with a
 * `policy` of `read`, `write` or `deny`, and `list` for keys), and the scalar `acl`, `keyring`,
 * `operator` (plus `mesh` and `peering`, which default to operator's). A service rule's
 * `intentions` is checked and otherwise ignored. Errors read as Consul's.
 */
import { splitOneLineBlocks } from '../config/hcl1-blocks.js';

export type AccessLevel = 'deny' | 'read' | 'list' | 'write';

/** One named rule: exact (`key "a"`) or prefix (`key_prefix "a"`). */
export interface NamedRule {
  name: string;
  access: AccessLevel;
}

export const NAMED_RESOURCES = ['key', 'service', 'node', 'session', 'agent', 'event', 'query'] as const;
export type NamedResource = (typeof NAMED_RESOURCES)[number];
export const SCALAR_RESOURCES = ['acl', 'keyring', 'operator', 'mesh', 'peering'] as const;
export type ScalarResource = (typeof SCALAR_RESOURCES)[number];

/** What one policy (or several merged) grants. */
export interface PolicyRules {
  exact: Record<NamedResource, NamedRule[]>;
  prefix: Record<NamedResource, NamedRule[]>;
  scalar: Partial<Record<ScalarResource, AccessLevel>>;
}

export class RulesError extends Error {
  readonly code = 'ACL_RULES_INVALID';
}

/** Rules text is bounded before it is parsed (Consul's policies are small; 128 KiB is ample). */
export const MAX_RULES_BYTES = 128 * 1024;

export function emptyRules(): PolicyRules {
  const named = () => ({ key: [], service: [], node: [], session: [], agent: [], event: [], query: [] }) as Record<NamedResource, NamedRule[]>;
  return { exact: named(), prefix: named(), scalar: {} };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

// Loaded by name so its type declarations (which pull in the DOM library) stay out of the build.
const HCL_PARSER: string = '@cdktn/hcl2json';
let hclParse: ((file: string, text: string) => Promise<unknown>) | undefined;

async function parseHcl(text: string): Promise<unknown> {
  hclParse ??= ((await import(HCL_PARSER)) as { parse(file: string, contents: string): Promise<unknown> }).parse;
  const parse = hclParse;
  try {
    return await parse('rules.hcl', text);
  } catch (err) {
    const split = splitOneLineBlocks(text);
    if (split === text) throw err;
    return parse('rules.hcl', split).catch(() => {
      throw err;
    });
  }
}

function parseError(err: unknown): RulesError {
  const msg = err instanceof Error ? err.message : String(err);
  return new RulesError(`Failed to parse ACL rules: ${msg.replace(/^parse config: /, '').replace(/rules\.hcl:/g, '')}`);
}

/** Parses a rules document (HCL, or JSON when it starts with `{`); throws RulesError. */
export async function parseRules(text: string): Promise<PolicyRules> {
  if (Buffer.byteLength(text) > MAX_RULES_BYTES) throw new RulesError(`Failed to parse ACL rules: rules are larger than ${MAX_RULES_BYTES} bytes`);
  if (text.trim() === '') return emptyRules();
  let doc: unknown;
  if (text.trimStart().startsWith('{')) {
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw parseError(err);
    }
  } else {
    try {
      doc = await parseHcl(text);
    } catch (err) {
      throw parseError(err);
    }
  }
  return rulesFromDocument(doc);
}

/** Blocks of one labelled kind: `{name: {...}}`, `{name: [{...}]}` or a list of those. */
function* namedBlocks(value: unknown, kind: string): Generator<[string, Json]> {
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) {
    if (!isObject(item)) throw new RulesError(`Failed to parse ACL rules: ${kind} must be a block with a name`);
    for (const [name, body] of Object.entries(item)) {
      const bodies = Array.isArray(body) ? body : [body];
      for (const b of bodies) {
        if (!isObject(b)) throw new RulesError(`Failed to parse ACL rules: ${kind} "${name}" must be a block`);
        yield [name, b];
      }
    }
  }
}

const VALID: ReadonlySet<string> = new Set(['deny', 'read', 'write']);

function describe(kind: string, name: string, body: Json): string {
  return `&acl.${kind}{Name:${JSON.stringify(name)}, Policy:${JSON.stringify(String(body.policy ?? ''))}}`;
}

/** Validates a parsed document as Consul's `parseCurrent` does. */
export function rulesFromDocument(doc: unknown): PolicyRules {
  if (!isObject(doc)) throw new RulesError('Failed to parse ACL rules: rules must be an object');
  const rules = emptyRules();
  for (const [key, value] of Object.entries(doc)) {
    const scalar = SCALAR_RESOURCES.find((r) => r === key);
    if (scalar) {
      if (typeof value !== 'string') throw new RulesError(`Failed to parse ACL rules: ${key} must be a string`);
      if (value === '') continue;
      if (!VALID.has(value)) throw new RulesError(`Invalid ${key} policy: ${JSON.stringify(value)}`);
      rules.scalar[scalar] = value as AccessLevel;
      continue;
    }
    const prefix = key.endsWith('_prefix');
    const resource = NAMED_RESOURCES.find((r) => r === (prefix ? key.slice(0, -'_prefix'.length) : key));
    if (!resource) throw new RulesError(`Failed to parse ACL rules: unknown rule ${JSON.stringify(key)}`);
    for (const [name, body] of namedBlocks(value, key)) {
      for (const field of Object.keys(body)) {
        if (field !== 'policy' && !(field === 'intentions' && resource === 'service')) {
          throw new RulesError(`Failed to parse ACL rules: ${key} "${name}": unknown field ${JSON.stringify(field)}`);
        }
      }
      const policy = body.policy;
      const ok = typeof policy === 'string' && (VALID.has(policy) || (resource === 'key' && policy === 'list'));
      if (!ok) throw new RulesError(`Invalid ${key} policy: ${describe(`${titleCase(resource)}Policy`, name, body)}`);
      const intentions = body.intentions;
      if (intentions !== undefined && (typeof intentions !== 'string' || (intentions !== '' && !VALID.has(intentions)))) {
        throw new RulesError(`Invalid ${key} intentions policy: ${describe('ServicePolicy', name, body)}`);
      }
      (prefix ? rules.prefix : rules.exact)[resource].push({ name, access: policy as AccessLevel });
    }
  }
  return rules;
}

function titleCase(s: string): string {
  return s === 'query' ? 'PreparedQuery' : s.charAt(0).toUpperCase() + s.slice(1);
}

/** deny, then write, then list, then read: which of two grants on the same name wins a merge. */
const RANK: Record<AccessLevel, number> = { deny: 4, write: 3, list: 2, read: 1 };

export function strongerAccess(a: AccessLevel, b: AccessLevel): AccessLevel {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Merges several policies as Consul's MergePolicies does: for the same resource and name (and the
 * same exact/prefix kind), deny wins over write, write over list, list over read.
 */
export function mergeRules(all: readonly PolicyRules[]): PolicyRules {
  const out = emptyRules();
  for (const kind of ['exact', 'prefix'] as const) {
    for (const resource of NAMED_RESOURCES) {
      const byName = new Map<string, AccessLevel>();
      for (const r of all) {
        for (const rule of r[kind][resource]) {
          const prev = byName.get(rule.name);
          byName.set(rule.name, prev ? strongerAccess(prev, rule.access) : rule.access);
        }
      }
      out[kind][resource] = [...byName].map(([name, access]) => ({ name, access }));
    }
  }
  for (const r of all) {
    for (const [k, v] of Object.entries(r.scalar) as [ScalarResource, AccessLevel][]) {
      const prev = out.scalar[k];
      out.scalar[k] = prev ? strongerAccess(prev, v) : v;
    }
  }
  return out;
}
