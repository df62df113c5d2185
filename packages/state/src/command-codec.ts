import { StateError } from './errors.js';
import type { Command } from './types.js';

/** Commands travel and persist as UTF-8 JSON (values inside are already base64). */
export function encodeCommand(command: Command): Buffer {
  return Buffer.from(JSON.stringify(command));
}

export function decodeCommand(bytes: Uint8Array): Command {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (err) {
    throw new StateError('STATE_INVALID_REQUEST', `undecodable command: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { type?: unknown }).type !== 'string') {
    throw new StateError('STATE_INVALID_REQUEST', 'undecodable command: missing type');
  }
  return parsed as Command;
}
