/** The Apply RPC's result payload: a state machine result, with a state error's code kept. */
import { type ApplyResult, StateError, type StateErrorCode } from '@concord/state';

export function encodeApplyResult(r: ApplyResult): Buffer {
  return Buffer.from(JSON.stringify(r.error ? { value: r.value, error: { code: r.error.code, message: r.error.message } } : { value: r.value }));
}

export function decodeApplyResult(b: Buffer): ApplyResult {
  const parsed = JSON.parse(b.toString('utf8')) as { value: unknown; error?: { code: StateErrorCode; message: string } };
  return parsed.error ? { value: parsed.value, error: new StateError(parsed.error.code, parsed.error.message) } : { value: parsed.value };
}
