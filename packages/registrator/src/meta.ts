/**
 * Service Meta that a Consul agent accepts. Registrator passes every leftover
 * `SERVICE_*` key through, so one odd label (`SERVICE_com.acme.x`) makes the whole
 * registration fail; here keys are normalised to `[A-Za-z0-9_-]` and entries
 * that cannot be made valid are dropped and reported.
 */

export const MAX_META_PAIRS = 64;
export const MAX_META_KEY_LENGTH = 128;
export const MAX_META_VALUE_LENGTH = 512;

export interface SanitizedMeta {
  readonly meta: Record<string, string>;
  /** `key: reason` for each entry left out. */
  readonly dropped: string[];
}

export function sanitizeMeta(entries: Iterable<readonly [string, string]>): SanitizedMeta {
  const meta: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [rawKey, value] of entries) {
    const key = rawKey.replace(/[^A-Za-z0-9_-]/g, '_');
    if (key.length > MAX_META_KEY_LENGTH) dropped.push(`${rawKey}: key longer than ${MAX_META_KEY_LENGTH}`);
    else if (key.toLowerCase().startsWith('consul-')) dropped.push(`${rawKey}: the consul- prefix is reserved`);
    else if (value.length > MAX_META_VALUE_LENGTH) dropped.push(`${rawKey}: value longer than ${MAX_META_VALUE_LENGTH}`);
    else if (!(key in meta) && Object.keys(meta).length >= MAX_META_PAIRS) dropped.push(`${rawKey}: more than ${MAX_META_PAIRS} entries`);
    else meta[key] = value;
  }
  return { meta, dropped };
}
