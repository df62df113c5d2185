/** Where the agent's HTTP API lives, resolved from options and environment. */
import { readFileSync } from 'node:fs';

export const DEFAULT_ADDRESS = '127.0.0.1:8500';

/**
 * The agent address from the environment: `CONCORD_HTTP_ADDR` first, then
 * `CONSUL_HTTP_ADDR`, else `127.0.0.1:8500`.
 */
export function addressFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return nonEmpty(env.CONCORD_HTTP_ADDR) ?? nonEmpty(env.CONSUL_HTTP_ADDR) ?? DEFAULT_ADDRESS;
}

/**
 * The ACL token from the environment: the contents of `CONCORD_HTTP_TOKEN_FILE` or
 * `CONSUL_HTTP_TOKEN_FILE` (a token file wins, as in Consul's client), else `CONCORD_HTTP_TOKEN`,
 * then `CONSUL_HTTP_TOKEN`. Throws when a named token file cannot be read.
 */
export function tokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = nonEmpty(env.CONCORD_HTTP_TOKEN_FILE) ?? nonEmpty(env.CONSUL_HTTP_TOKEN_FILE);
  if (file) {
    const fromFile = readTokenFile(file);
    if (fromFile) return fromFile;
  }
  return nonEmpty(env.CONCORD_HTTP_TOKEN) ?? nonEmpty(env.CONSUL_HTTP_TOKEN);
}

/** A token file's contents, trimmed (at most 4 KiB is read); throws with the path when unreadable. */
export function readTokenFile(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`Error loading token file: ${(err as Error).message}`);
  }
  return nonEmpty(text.slice(0, 4096).trim());
}

/**
 * Turns `host:port`, `http://host:port` or `https://host:port` into a base URL
 * without a trailing slash, e.g. `http://127.0.0.1:8500`.
 */
export function baseUrlOf(address: string, defaultScheme: 'http' | 'https' = 'http'): string {
  const trimmed = address.trim();
  if (trimmed === '') throw new Error('empty agent address');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `${defaultScheme}://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`invalid agent address "${address}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`unsupported scheme in agent address "${address}" (use http:// or https://)`);
  }
  return `${url.protocol}//${url.host}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}
