import type { KvOp, KvVerb, TxnResult } from '@concord/state';
import { MAX_TXN_OPS } from '@concord/state';
import type { ServerContext } from '../../agent-context.js';
import { checkDatacenter, json, read } from '../endpoint-kit.js';
import { type Body, field, isBody, optInt, optString } from '../decode.js';
import { HttpError, badRequest } from '../http-error.js';
import { type RequestContext, readBody } from '../request.js';
import type { Route } from '../router.js';

const VERBS: ReadonlySet<string> = new Set<KvVerb>([
  'set', 'cas', 'lock', 'unlock', 'get', 'get-tree', 'check-index', 'check-session', 'check-not-exists',
  'delete', 'delete-tree', 'delete-cas',
]);
const READ_VERBS: ReadonlySet<string> = new Set(['get', 'get-tree', 'check-index', 'check-session', 'check-not-exists']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeOps(raw: unknown, maxValue: number): KvOp[] {
  if (!Array.isArray(raw)) throw badRequest('Failed to parse body: expected a JSON array of operations');
  if (raw.length > MAX_TXN_OPS) {
    throw new HttpError(413, `Transaction contains too many operations (${raw.length} > ${MAX_TXN_OPS})`);
  }
  return raw.map((item, i): KvOp => {
    if (!isBody(item)) throw badRequest(`Failed to parse body: operation ${i} is not an object`);
    const kv = field(item, 'KV');
    if (kv === undefined) {
      const other = Object.keys(item)[0] ?? '(empty)';
      throw badRequest(`Failed to parse body: operation ${i}: unsupported operation type "${other}"`);
    }
    if (!isBody(kv)) throw badRequest(`Failed to parse body: operation ${i}: KV must be an object`);
    const body = kv as Body;
    const verb = optString(body, 'Verb') ?? '';
    if (!VERBS.has(verb)) throw badRequest(`Failed to parse body: operation ${i}: unknown KV verb "${verb}"`);
    const key = optString(body, 'Key') ?? '';
    const value = optString(body, 'Value');
    if (value !== undefined) {
      if (!BASE64.test(value) || value.length % 4 === 1) {
        throw badRequest(`Failed to parse body: operation ${i}: Value is not valid base64`);
      }
      const size = Buffer.byteLength(value, 'base64');
      if (size > maxValue) throw new HttpError(413, `Value for key "${key}" is too large (${size} > ${maxValue} bytes)`);
    }
    if (key === '' && verb !== 'get-tree' && verb !== 'delete-tree') {
      throw badRequest(`Failed to parse body: operation ${i}: Key is required`);
    }
    const op: KvOp = { Verb: verb as KvVerb, Key: key };
    if (value !== undefined) op.Value = value;
    const flags = optInt(body, 'Flags');
    if (flags !== undefined) op.Flags = flags;
    const index = optInt(body, 'Index');
    if (index !== undefined) op.Index = index;
    const session = optString(body, 'Session');
    if (session !== undefined) op.Session = session;
    return op;
  });
}

async function txn(ctx: RequestContext, agent: ServerContext): Promise<void> {
  checkDatacenter(ctx, agent);
  const { kvMaxValueSize, txnMaxReqLen } = agent.config;
  const limit = Math.max(kvMaxValueSize, txnMaxReqLen);
  const body = await readBody(ctx.req, limit, () => `Request body too large, max size: ${limit} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw badRequest(`Failed to parse body: ${(err as Error).message}`);
  }
  const ops = decodeOps(raw, kvMaxValueSize);
  let result: TxnResult;
  if (ops.every((op) => READ_VERBS.has(op.Verb))) {
    result = (await read(ctx, agent, () => agent.server.state.txnRead(ops))).value;
  } else {
    const { result: applied } = await agent.write({ type: 'txn', ops });
    result = applied.value as TxnResult;
  }
  json(ctx, result, result.Errors ? 409 : 200);
}

export function txnRoutes(agent: ServerContext): Route[] {
  return [{ path: '/v1/txn', methods: ['PUT'], handler: (ctx) => txn(ctx, agent) }];
}
