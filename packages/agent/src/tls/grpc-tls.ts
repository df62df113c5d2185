/**
 * gRPC credentials for the server RPC port (agent RPC and Raft) from the agent's internal RPC TLS
 * material: server credentials whose certificates follow a reload, and the credentials and
 * channel options for dialling a server (mutual TLS, checking `server.<dc>.<domain>` when
 * `verify_server_hostname` is set).
 */
import { checkServerIdentity as tlsCheckServerIdentity, type PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import type { InternalRpcTlsSettings } from '../config/tls-settings.js';
import type { TlsFiles, TlsMaterial } from './tls-material.js';

type CertificateProvider = grpc.experimental.CertificateProvider;
type CaListener = grpc.experimental.CaCertificateUpdateListener;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;

/** Feeds grpc-js the current CA and key pair of a TlsMaterial, and every reload after. */
class MaterialCertificateProvider implements CertificateProvider {
  readonly #material: TlsMaterial;
  readonly #ca = new Set<CaListener>();
  readonly #identity = new Set<IdentityListener>();

  constructor(material: TlsMaterial) {
    this.#material = material;
    material.onChange((files) => {
      for (const l of this.#ca) l(caUpdate(files));
      for (const l of this.#identity) l(identityUpdate(files));
    });
  }

  addCaCertificateListener(listener: CaListener): void {
    this.#ca.add(listener);
    listener(caUpdate(this.#material.files));
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.#ca.delete(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.#identity.add(listener);
    listener(identityUpdate(this.#material.files));
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.#identity.delete(listener);
  }
}

function caUpdate(f: TlsFiles): grpc.experimental.CaCertificateUpdate | null {
  return f.ca ? { caCertificate: f.ca } : null;
}

function identityUpdate(f: TlsFiles): grpc.experimental.IdentityCertificateUpdate | null {
  return f.cert && f.key ? { certificate: f.cert, privateKey: f.key } : null;
}

function contextOptions(f: TlsFiles): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  return { ...(f.ca ? { ca: f.ca } : {}), ...(f.cert ? { cert: f.cert } : {}), ...(f.key ? { key: f.key } : {}) };
}

/**
 * Server credentials for the TLS side of the RPC port. With `verify_incoming` a peer must show a
 * certificate signed by the CA, or the handshake fails. The certificates follow reloads.
 */
class ReloadingServerCredentials extends grpc.ServerCredentials {
  constructor(material: TlsMaterial, verifyIncoming: boolean) {
    const s = material.settings;
    super(
      {
        requestCert: verifyIncoming,
        rejectUnauthorized: verifyIncoming,
        minVersion: s.minVersion,
        ...(s.ciphers ? { ciphers: s.ciphers } : {}),
      },
      contextOptions(material.files),
    );
    material.onChange((files) => this.updateSecureContextOptions(contextOptions(files)));
  }

  _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }
}

export function rpcServerCredentials(material: TlsMaterial, verifyIncoming: boolean): grpc.ServerCredentials {
  return new ReloadingServerCredentials(material, verifyIncoming);
}

/** The name a server's certificate must carry when `verify_server_hostname` is set. */
export function serverName(datacenter: string, domain: string): string {
  return `server.${datacenter}.${domain.replace(/\.$/, '')}`;
}

export interface RpcDial {
  credentials: grpc.ChannelCredentials;
  options: grpc.ChannelOptions;
}

/**
 * How this agent dials a server's RPC port. Without `verify_outgoing`, plaintext (a server that
 * verifies incoming connections refuses it). With it, TLS checked against the CA, presenting this
 * agent's certificate when it has one; the server's name is checked only with
 * `verify_server_hostname`, as Consul does.
 */
export function rpcDialer(material: TlsMaterial | undefined, settings: InternalRpcTlsSettings, datacenter: string, domain: string): () => RpcDial {
  if (!material || !settings.verifyOutgoing) {
    const plain: RpcDial = { credentials: grpc.credentials.createInsecure(), options: {} };
    return () => plain;
  }
  const provider = new MaterialCertificateProvider(material);
  const hasIdentity = settings.certFile !== undefined;
  const expected = serverName(datacenter, domain);
  const checkServerIdentity = settings.verifyServerHostname ? (_host: string, cert: PeerCertificate) => tlsCheckServerIdentity(expected, cert) : () => undefined;
  const secure: RpcDial = {
    credentials: grpc.experimental.createCertificateProviderChannelCredentials(provider, hasIdentity ? provider : null, {
      checkServerIdentity,
    }),
    // The name is always sent (SNI of an IP address is not allowed); it is checked only with
    // verify_server_hostname.
    options: { 'grpc.ssl_target_name_override': expected, 'grpc.default_authority': expected },
  };
  return () => secure;
}
