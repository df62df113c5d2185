import { createHash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';

/**
 * A hash of a JSON-shaped value as 16 hex digits (64 bits, the size of Consul's hashstructure
 * hashes), independent of the order of object keys: equal content, equal hash.
 */
export function contentHash(value: unknown): string {
  const canonical = stringify(value) ?? '';
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
