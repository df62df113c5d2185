/**
 * TLS of the framed Raft transport (raft-ts/tcp) on the server RPC port, from the same internal
 * RPC material and under the same rules as the port's gRPC side: the port serves TLS when a
 * certificate is configured, checks peers' certificates against the CA with `verify_incoming`
 * (and then refuses plaintext), dials with TLS only with `verify_outgoing`, presenting this
 * server's certificate and checking `server.<dc>.<domain>` with `verify_server_hostname`. Options
 * are built per connection, so reloaded certificates apply to new connections.
 */
import { type ConnectionOptions, type TlsOptions, checkServerIdentity } from 'node:tls';
import type { InternalRpcTlsSettings } from '../config/tls-settings.js';
import type { TlsFiles, TlsMaterial } from './tls-material.js';

export interface RaftTcpTls {
  /** The TLS side of inbound Raft connections; undefined when the port serves plaintext only. */
  readonly serverTls: (() => TlsOptions) | undefined;
  /** Plaintext Raft connections are refused (`verify_incoming`). */
  readonly requireTls: boolean;
  /** How to dial another server's Raft transport. */
  readonly dial: () => { tls?: ConnectionOptions };
}

function material(f: TlsFiles): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  return { ...(f.ca ? { ca: f.ca } : {}), ...(f.cert ? { cert: f.cert } : {}), ...(f.key ? { key: f.key } : {}) };
}

export function raftTcpTls(rpc: TlsMaterial | undefined, s: InternalRpcTlsSettings, expectedServerName: string): RaftTcpTls {
  const serves = rpc !== undefined && s.certFile !== undefined;
  const serverTls = serves
    ? (): TlsOptions => ({
        ...material(rpc.files),
        requestCert: s.verifyIncoming,
        rejectUnauthorized: s.verifyIncoming,
        minVersion: s.minVersion,
        ...(s.ciphers ? { ciphers: s.ciphers } : {}),
      })
    : undefined;
  const plain = {};
  const dial =
    rpc && s.verifyOutgoing
      ? () => ({
          tls: {
            ...material(rpc.files),
            // The name is always sent (SNI of an IP address is not allowed); it is checked only
            // with verify_server_hostname, as on the gRPC side.
            servername: expectedServerName,
            checkServerIdentity: s.verifyServerHostname
              ? (_host: string, cert: Parameters<typeof checkServerIdentity>[1]) => checkServerIdentity(expectedServerName, cert)
              : () => undefined,
            minVersion: s.minVersion,
            ...(s.ciphers ? { ciphers: s.ciphers } : {}),
          } satisfies ConnectionOptions,
        })
      : () => plain;
  return { serverTls, requireTls: s.verifyIncoming, dial };
}
