/** The flags every command that talks to an agent accepts, and the client they build. */
import { type ApiTlsOptions, ConsulApi, addressFromEnv, readTokenFile, tokenFromEnv } from '@concord/api';
import { FlagError, type FlagSpecs } from '@concord/goflags';
import type { FlagReader } from './flags.js';
import type { Io } from './io.js';

/** `-http-addr`, `-token`, `-token-file`. */
export const CLIENT_FLAGS: FlagSpecs = {
  'http-addr': { kind: 'string' },
  'ca-file': { kind: 'string' },
  'ca-path': { kind: 'string' },
  'client-cert': { kind: 'string' },
  'client-key': { kind: 'string' },
  'tls-server-name': { kind: 'string' },
  token: { kind: 'string' },
  'token-file': { kind: 'string' },
};

/** `-datacenter`, `-stale`. */
export const SERVER_FLAGS: FlagSpecs = {
  datacenter: { kind: 'string' },
  stale: { kind: 'boolean' },
};

export const CLIENT_FLAGS_HELP = `
HTTP API Options

  -http-addr=<address>
     The address and port of the agent HTTP API. Can be an IP address or a
     DNS name, with the port, optionally prefixed with http:// or https://.
     Defaults to CONCORD_HTTP_ADDR, then CONSUL_HTTP_ADDR, then
     http://127.0.0.1:8500.

  -token=<value>
     ACL token to use in the request. Defaults to the contents of
     CONSUL_HTTP_TOKEN_FILE, then CONSUL_HTTP_TOKEN (CONCORD_ forms first).

  -token-file=<value>
     File containing the ACL token to use in the request.

  -ca-file=<value>
     Path to a CA file to use for TLS when communicating with the agent.
     Defaults to CONCORD_CACERT or CONSUL_CACERT.

  -ca-path=<value>
     Path to a directory of CA certificates to use for TLS when
     communicating with the agent. Defaults to CONSUL_CAPATH.

  -client-cert=<value>
     Path to a client cert file to use for TLS when 'verify_incoming' is
     enabled on the agent's HTTPS API. Defaults to CONSUL_CLIENT_CERT.

  -client-key=<value>
     Path to a client key file to use for TLS when 'verify_incoming' is
     enabled. Defaults to CONSUL_CLIENT_KEY.

  -tls-server-name=<value>
     The server name to use as the SNI host and to check the agent's
     certificate against. Defaults to CONSUL_TLS_SERVER_NAME.

  CONSUL_HTTP_SSL=true makes an address without a scheme https://, and
  CONSUL_HTTP_SSL_VERIFY=false turns certificate checks off.`;

export const SERVER_FLAGS_HELP = `
  -datacenter=<value>
     Name of the datacenter to query. Defaults to the agent's datacenter.

  -stale
     Permit any server to answer the request, not only the leader. The
     default is false.`;

export interface HttpSettings {
  readonly client: ConsulApi;
  readonly stale: boolean;
  /** The resolved ACL token, for requests the typed client does not make. */
  readonly token: string | undefined;
  readonly datacenter: string | undefined;
}

/** Builds the API client from the common flags and the environment. */
export function httpClient(flags: FlagReader, io: Io): HttpSettings {
  const address = flags.string('http-addr') || addressFromEnv(io.env);
  let token = flags.string('token') || undefined;
  const tokenFile = flags.string('token-file');
  try {
    if (!token && tokenFile) token = readTokenFile(tokenFile);
    token ??= tokenFromEnv(io.env);
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
  const datacenter = flags.string('datacenter') || undefined;
  const tls: ApiTlsOptions = {
    ...(flags.string('ca-file') ? { caFile: flags.string('ca-file') } : {}),
    ...(flags.string('ca-path') ? { caPath: flags.string('ca-path') } : {}),
    ...(flags.string('client-cert') ? { certFile: flags.string('client-cert') } : {}),
    ...(flags.string('client-key') ? { keyFile: flags.string('client-key') } : {}),
    ...(flags.string('tls-server-name') ? { serverName: flags.string('tls-server-name') } : {}),
  };
  let client: ConsulApi;
  try {
    client = new ConsulApi({
      address,
      tls,
      env: io.env,
      ...(token ? { token } : {}),
      ...(datacenter ? { datacenter } : {}),
    });
  } catch (err) {
    // A CA or client certificate that cannot be read: one line, exit 1.
    throw new FlagError((err as Error).message);
  }
  return { client, stale: flags.bool('stale'), token, datacenter };
}

/** The message of an error from the client, for one-line output. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
