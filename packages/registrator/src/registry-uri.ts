/**
 * The registry URI argument, as registrator takes it: `consul://host:port`
 * (agent service registrations), `consul-tls://host:port` (the same over HTTPS, with the CA and
 * client certificate from `CONSUL_CACERT`, `CONSUL_CLIENT_CERT` and `CONSUL_CLIENT_KEY`) or
 * `consulkv://host:port/prefix` (KV entries).
 */
import { RegistratorConfigError } from './errors.js';

export type RegistryTarget = { readonly kind: 'consul'; readonly address: string } | { readonly kind: 'consulkv'; readonly address: string; readonly prefix: string };

const DEFAULT_AGENT = '127.0.0.1:8500';

/**
 * Parses the URI. A URI without a host uses `CONSUL_HTTP_ADDR` (or
 * `CONCORD_HTTP_ADDR`), else `127.0.0.1:8500`, as the Go client does.
 */
export function parseRegistryUri(uri: string, env: NodeJS.ProcessEnv = process.env): RegistryTarget {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(\/.*)?$/i.exec(uri.trim());
  if (!m) throw new RegistratorConfigError(`bad adapter uri: ${uri}`);
  const scheme = (m[1] as string).toLowerCase();
  const host = m[2] as string;
  const path = m[3] ?? '';
  if (host !== '' && !/^(\[[0-9a-f:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/i.test(host)) {
    throw new RegistratorConfigError(`bad adapter uri: ${uri}`);
  }
  const address = host !== '' ? host : env.CONCORD_HTTP_ADDR || env.CONSUL_HTTP_ADDR || DEFAULT_AGENT;
  switch (scheme) {
    case 'consul':
      return { kind: 'consul', address };
    case 'consul-tls':
      return { kind: 'consul', address: `https://${address.replace(/^[a-z]+:\/\//i, '')}` };
    case 'consulkv': {
      const prefix = path.replace(/^\/+/, '').replace(/\/+$/, '');
      if (prefix === '') throw new RegistratorConfigError(`consulkv needs a key prefix: consulkv://host:port/<prefix> (got ${uri})`);
      return { kind: 'consulkv', address, prefix };
    }
    default:
      throw new RegistratorConfigError(`unrecognized adapter: ${uri}`);
  }
}
