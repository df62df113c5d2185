/**
 * Decoding `/v1/txn` bodies into the state machine's `TxnOp`s, with Consul's HTTP-side rules
 * (agent/txn_endpoint.go `convertOps`): at most MAX_TXN_OPS ops, KV values base64 and within
 * `kv_max_value_size`, keys bound case-insensitively. Verbs are checked by the state machine,
 * which reports an unknown one against its op index, except KV verbs, which are refused here.
 */
import type { CatalogTxnVerb, CheckTxnOp, KvOp, KvVerb, NodeTxnOp, ServiceTxnOp, SessionTxnOp, TxnOp } from '@concord/state';
import { KV_VERBS, MAX_TXN_OPS } from '@concord/state';
import { type Body, field, isBody, optBool, optInt, optString, optStringList, optStringMap } from '../decode/body.js';
import { HttpError, badRequest, toHttpError } from './http-error.js';

const KNOWN_KV_VERBS: ReadonlySet<string> = new Set<string>(KV_VERBS);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const KINDS = ['KV', 'Node', 'Service', 'Check', 'Session'] as const;

/** Decode errors name the op, and keep the `Failed to parse body:` prefix Consul answers with. */
function parseError(i: number, what: string): HttpError {
  return badRequest(`Failed to parse body: operation ${i}: ${what}`);
}

/** Runs a field decoder, turning its error into one that names the op. */
function within<T>(i: number, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    const prefix = 'Request decode failed: ';
    const e = toHttpError(err);
    if (e.status === 400 && e.message.startsWith(prefix)) {
      throw parseError(i, e.message.slice(prefix.length));
    }
    throw err;
  }
}

function object(i: number, body: Body, name: string): Body {
  const v = field(body, name);
  if (v === undefined || v === null) return {};
  if (!isBody(v)) throw parseError(i, `${name} must be an object`);
  return v;
}

function verbOf(body: Body): string {
  return optString(body, 'Verb') ?? '';
}

function decodeKv(i: number, kv: Body, maxValue: number): KvOp {
  const verb = verbOf(kv);
  if (!KNOWN_KV_VERBS.has(verb)) throw parseError(i, `unknown KV verb "${verb}"`);
  const key = optString(kv, 'Key') ?? '';
  const value = optString(kv, 'Value');
  if (value !== undefined) {
    if (!BASE64.test(value) || value.length % 4 === 1) throw parseError(i, 'Value is not valid base64');
    const size = Buffer.byteLength(value, 'base64');
    if (size > maxValue) throw new HttpError(413, `Value for key "${key}" is too large (${size} > ${maxValue} bytes)`);
  }
  if (key === '' && verb !== 'get-tree' && verb !== 'delete-tree') throw parseError(i, 'Key is required');
  const op: KvOp = { Verb: verb as KvVerb, Key: key };
  if (value !== undefined) op.Value = value;
  const flags = optInt(kv, 'Flags');
  if (flags !== undefined) op.Flags = flags;
  const index = optInt(kv, 'Index');
  if (index !== undefined) op.Index = index;
  const session = optString(kv, 'Session');
  if (session !== undefined) op.Session = session;
  return op;
}

/** Copies the listed string fields that are present. */
function strings<K extends string>(body: Body, names: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const n of names) {
    const v = optString(body, n);
    if (v !== undefined) out[n] = v;
  }
  return out;
}

function decodeNode(i: number, op: Body, datacenter: string): NodeTxnOp {
  const node = object(i, op, 'Node');
  // A node naming another datacenter must never be written into this one's catalog.
  const dc = optString(node, 'Datacenter');
  if (dc && dc.toLowerCase() !== datacenter) throw new HttpError(500, 'No path to datacenter');
  const out: NodeTxnOp['Node'] = { Node: optString(node, 'Node') ?? '', ...strings(node, ['ID', 'Address'] as const) };
  const tagged = optStringMap(node, 'TaggedAddresses');
  if (tagged) out.TaggedAddresses = tagged;
  const meta = optStringMap(node, 'Meta');
  if (meta) out.Meta = meta;
  const index = optInt(node, 'ModifyIndex');
  if (index !== undefined) out.ModifyIndex = index;
  return { Verb: verbOf(op) as CatalogTxnVerb, Node: out };
}

function decodeWeights(svc: Body, i: number): { Passing: number; Warning: number } | undefined {
  const w = field(svc, 'Weights');
  if (w === undefined || w === null) return undefined;
  if (!isBody(w)) throw parseError(i, 'Weights must be an object');
  return { Passing: optInt(w, 'Passing') ?? 1, Warning: optInt(w, 'Warning') ?? 1 };
}

function decodeService(i: number, op: Body): ServiceTxnOp {
  const svc = object(i, op, 'Service');
  const out: ServiceTxnOp['Service'] = { Service: optString(svc, 'Service') ?? '', ...strings(svc, ['ID', 'Address', 'Kind'] as const) };
  const tags = optStringList(svc, 'Tags');
  if (tags) out.Tags = tags;
  const meta = optStringMap(svc, 'Meta');
  if (meta) out.Meta = meta;
  const port = optInt(svc, 'Port', 0, 65535);
  if (port !== undefined) out.Port = port;
  const weights = decodeWeights(svc, i);
  if (weights) out.Weights = weights;
  const eto = optBool(svc, 'EnableTagOverride');
  if (eto !== undefined) out.EnableTagOverride = eto;
  const index = optInt(svc, 'ModifyIndex');
  if (index !== undefined) out.ModifyIndex = index;
  return { Verb: verbOf(op) as CatalogTxnVerb, Node: optString(op, 'Node') ?? '', Service: out };
}

const DEFINITION_STRINGS = ['HTTP', 'Method', 'Body', 'TCP'] as const;
const DEFINITION_DURATIONS = ['Interval', 'Timeout', 'DeregisterCriticalServiceAfter'] as const;

/** The check's `Definition`: the fields Consul's txn endpoint carries over, type-checked. */
function decodeDefinition(i: number, check: Body): Record<string, unknown> {
  const def = object(i, check, 'Definition');
  const out: Record<string, unknown> = { ...strings(def, DEFINITION_STRINGS) };
  const skip = optBool(def, 'TLSSkipVerify');
  if (skip !== undefined) out.TLSSkipVerify = skip;
  const header = field(def, 'Header');
  if (header !== undefined && header !== null) {
    if (!isBody(header) || Object.values(header).some((v) => !Array.isArray(v) || v.some((x) => typeof x !== 'string'))) {
      throw parseError(i, 'Definition.Header must be a map of string lists');
    }
    out.Header = header;
  }
  for (const name of DEFINITION_DURATIONS) {
    const v = field(def, name);
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
      throw parseError(i, `Definition.${name} must be a duration`);
    }
    out[name] = v;
  }
  return out;
}

function decodeCheck(i: number, op: Body): CheckTxnOp {
  const check = object(i, op, 'Check');
  const out: CheckTxnOp['Check'] = {
    Node: optString(check, 'Node') ?? '',
    ...strings(check, ['CheckID', 'Name', 'Notes', 'Output', 'ServiceID', 'Type'] as const),
  };
  const status = optString(check, 'Status');
  if (status !== undefined && status !== '') out.Status = status as NonNullable<CheckTxnOp['Check']['Status']>;
  const definition = decodeDefinition(i, check);
  if (Object.keys(definition).length > 0) out.Definition = definition;
  const index = optInt(check, 'ModifyIndex');
  if (index !== undefined) out.ModifyIndex = index;
  return { Verb: verbOf(op) as CatalogTxnVerb, Check: out };
}

function decodeSession(i: number, op: Body): SessionTxnOp {
  const session = object(i, op, 'Session');
  return { Verb: verbOf(op) as 'delete', Session: { ID: optString(session, 'ID') ?? '' } };
}

/** One op: an object with exactly one of KV, Node, Service, Check, Session. */
function decodeOp(i: number, item: unknown, limits: TxnDecodeLimits): TxnOp {
  if (!isBody(item)) throw parseError(i, 'not an object');
  const present = KINDS.filter((k) => {
    const v = field(item, k);
    return v !== undefined && v !== null;
  });
  const other = Object.keys(item).find((k) => !KINDS.some((kind) => kind.toLowerCase() === k.toLowerCase()));
  if (present.length === 0) throw parseError(i, `unsupported operation type "${other ?? '(empty)'}"`);
  if (present.length > 1) throw parseError(i, `has more than one operation (${present.join(', ')})`);
  const kind = present[0] as (typeof KINDS)[number];
  const body = field(item, kind);
  if (!isBody(body)) throw parseError(i, `${kind} must be an object`);
  return within(i, (): TxnOp => {
    switch (kind) {
      case 'KV':
        return { KV: decodeKv(i, body, limits.maxValue) };
      case 'Node':
        return { Node: decodeNode(i, body, limits.datacenter) };
      case 'Service':
        return { Service: decodeService(i, body) };
      case 'Check':
        return { Check: decodeCheck(i, body) };
      case 'Session':
        return { Session: decodeSession(i, body) };
    }
  });
}

export interface TxnDecodeLimits {
  /** `kv_max_value_size`: the largest KV value. */
  readonly maxValue: number;
  /** This agent's datacenter (lower case): a Node op naming another is refused. */
  readonly datacenter: string;
}

/** The parsed JSON body as a list of ops; 413 past MAX_TXN_OPS, 400 for what does not decode. */
export function decodeTxnOps(raw: unknown, limits: TxnDecodeLimits): TxnOp[] {
  if (!Array.isArray(raw)) throw badRequest('Failed to parse body: expected a JSON array of operations');
  if (raw.length > MAX_TXN_OPS) {
    throw new HttpError(413, `Transaction contains too many operations (${raw.length} > ${MAX_TXN_OPS})`);
  }
  return raw.map((item, i) => decodeOp(i, item, limits));
}
