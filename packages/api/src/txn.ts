/** `/v1/txn`: atomic multi-operation transactions. */
import { ApiError } from './errors.js';
import type { WriteOptions } from './options.js';
import { decodeKVPair } from './kv.js';
import type { Transport } from './transport.js';
import type { KVPairWire, TxnError, TxnOp, TxnResponse, TxnResultEntry } from './types.js';

interface TxnWireResponse {
  readonly Results: Array<Record<string, unknown>> | null;
  readonly Errors: TxnError[] | null;
}

/** Runs the operations atomically. A rollback (HTTP 409) is `{ ok: false, errors }`, not an error. */
export async function runTxn(t: Transport, ops: readonly TxnOp[], options?: WriteOptions): Promise<TxnResponse> {
  const res = await t.call({ method: 'PUT', path: '/v1/txn', json: ops.map(encodeOp), options }, [409]);
  let wire: TxnWireResponse;
  try {
    wire = JSON.parse(res.body.toString('utf8')) as TxnWireResponse;
  } catch {
    throw new ApiError(res.status, res.body.toString('utf8'));
  }
  return {
    ok: res.status !== 409,
    results: (wire.Results ?? []).map(decodeResult),
    errors: wire.Errors ?? [],
  };
}

function encodeOp(op: TxnOp): unknown {
  if ('KV' in op) {
    const { Value, ...rest } = op.KV;
    if (Value === undefined) return { KV: rest };
    const bytes = typeof Value === 'string' ? Buffer.from(Value, 'utf8') : Buffer.from(Value);
    return { KV: { ...rest, Value: bytes.toString('base64') } };
  }
  return op;
}

function decodeResult(entry: Record<string, unknown>): TxnResultEntry {
  if (entry.KV) return { KV: decodeKVPair(entry.KV as KVPairWire) };
  return entry as unknown as TxnResultEntry;
}
