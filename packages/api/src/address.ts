/** Where the agent's HTTP API lives, resolved from options and environment. */

export const DEFAULT_ADDRESS = '127.0.0.1:8500';

/**
 * The agent address from the environment: `CONCORD_HTTP_ADDR` first, then
 * `CONSUL_HTTP_ADDR`, else `127.0.0.1:8500`.
 */
export function addressFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return nonEmpty(env.CONCORD_HTTP_ADDR) ?? nonEmpty(env.CONSUL_HTTP_ADDR) ?? DEFAULT_ADDRESS;
}

/** The ACL token from the environment (`CONCORD_HTTP_TOKEN`, then `CONSUL_HTTP_TOKEN`). */
export function tokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return nonEmpty(env.CONCORD_HTTP_TOKEN) ?? nonEmpty(env.CONSUL_HTTP_TOKEN);
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
