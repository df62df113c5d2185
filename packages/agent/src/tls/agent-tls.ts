/**
 * The agent's TLS, assembled from its settings: the material of the internal RPC and HTTPS
 * interfaces, the RPC port's listener credentials, the dialer for servers' RPC ports, and the
 * HTTPS server options. `reload` re-reads every certificate file (SIGHUP, `concord reload`).
 */
import { type SecureContextOptions, type TlsOptions, checkServerIdentity } from 'node:tls';
import type { RaftPeerAuth } from 'raft-ts/tcp';
import type { AgentConfig } from '../config/config.js';
import { ConfigError } from '../config/config-error.js';
import type { TlsInterfaceSettings, TlsSettings } from '../config/tls-settings.js';
import type { RpcListenerTls } from '../cluster/rpc-listener.js';
import type { RpcDialer } from '../cluster/rpc.js';
import { rpcDialer, rpcServerCredentials, serverName } from './grpc-tls.js';
import { type RaftTcpTls, raftTcpTls } from './raft-tls.js';
import { TlsMaterial, TlsMaterialError, type TlsFiles } from './tls-material.js';

export interface AgentTls {
  /** Credentials of the RPC port's TLS side; undefined when the port serves plaintext only. */
  readonly rpcListener: RpcListenerTls | undefined;
  readonly dialRpc: RpcDialer;
  /**
   * With `verify_incoming` and `verify_server_hostname` on the RPC port, Raft is accepted only
   * from peers whose verified certificate names `server.<dc>.<domain>`; undefined otherwise.
   */
  readonly raftAuthorize: ((auth: RaftPeerAuth) => boolean) | undefined;
  /** TLS of the framed Raft transport on the RPC port (same material and rules as the gRPC side). */
  readonly raftTcp: RaftTcpTls;
  /** Options for `https.createServer`, or undefined when HTTPS is off. */
  readonly httpsOptions: TlsOptions | undefined;
  /** Called with the new secure context options when the HTTPS files change. */
  onHttpsChange(fn: (ctx: SecureContextOptions) => void): void;
  /** Re-reads the certificate files named by `next`; throws (keeping the old ones) on error. */
  reload(next: TlsSettings): void;
}

function configured(s: TlsInterfaceSettings): boolean {
  return s.caFile !== undefined || s.caPath !== undefined || s.certFile !== undefined;
}

function open(name: string, s: TlsInterfaceSettings): TlsMaterial {
  try {
    return new TlsMaterial(s);
  } catch (err) {
    if (err instanceof TlsMaterialError) throw new ConfigError(`tls.${name}: ${err.message}`);
    throw err;
  }
}

function secureContext(f: TlsFiles): SecureContextOptions {
  return { ...(f.ca ? { ca: f.ca } : {}), ...(f.cert ? { cert: f.cert } : {}), ...(f.key ? { key: f.key } : {}) };
}

/** Loads every certificate the configuration names; throws ConfigError with the file and reason. */
export function openAgentTls(config: AgentConfig): AgentTls {
  const { tls } = config;
  const rpc = configured(tls.internalRpc) ? open('internal_rpc', tls.internalRpc) : undefined;
  const httpsOn = config.ports.https >= 0;
  if (httpsOn && tls.https.certFile === undefined) {
    throw new ConfigError('HTTPS port set but no cert_file and key_file for tls.https (or tls.defaults)');
  }
  const https = httpsOn ? open('https', tls.https) : undefined;
  const rpcListener: RpcListenerTls | undefined =
    rpc && tls.internalRpc.certFile !== undefined
      ? { credentials: rpcServerCredentials(rpc, tls.internalRpc.verifyIncoming), requireTls: tls.internalRpc.verifyIncoming }
      : undefined;
  if (!rpcListener && tls.internalRpc.verifyIncoming) {
    throw new ConfigError('tls.internal_rpc: VerifyIncoming requires either a Cert and Key pair in the configuration file, or auto_encrypt/auto_config be enabled');
  }
  const httpsOptions: TlsOptions | undefined = https
    ? {
        ...secureContext(https.files),
        minVersion: tls.https.minVersion,
        ...(tls.https.ciphers ? { ciphers: tls.https.ciphers } : {}),
        requestCert: tls.https.verifyIncoming,
        rejectUnauthorized: tls.https.verifyIncoming,
      }
    : undefined;
  const expected = serverName(config.datacenter, config.domain);
  const raftAuthorize =
    rpcListener && tls.internalRpc.verifyIncoming && tls.internalRpc.verifyServerHostname
      ? (auth: RaftPeerAuth) => auth.sslPeerCertificate !== undefined && checkServerIdentity(expected, auth.sslPeerCertificate) === undefined
      : undefined;
  return {
    rpcListener,
    raftAuthorize,
    raftTcp: raftTcpTls(rpc, tls.internalRpc, expected),
    dialRpc: rpcDialer(rpc, tls.internalRpc, config.datacenter, config.domain),
    httpsOptions,
    onHttpsChange(fn) {
      https?.onChange((files) => fn(secureContext(files)));
    },
    reload(next) {
      try {
        rpc?.reload(next.internalRpc);
        https?.reload(next.https);
      } catch (err) {
        if (err instanceof TlsMaterialError) throw new ConfigError(err.message);
        throw err;
      }
    },
  };
}
