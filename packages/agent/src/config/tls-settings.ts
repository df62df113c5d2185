/**
 * The agent's TLS configuration, read as Consul reads it: the `tls` block with its `defaults`,
 * `internal_rpc`, `https` and `grpc` sections, and the older top-level keys (`ca_file`,
 * `cert_file`, `key_file`, `verify_incoming`, `verify_incoming_rpc`, `verify_incoming_https`,
 * `verify_outgoing`, `verify_server_hostname`, `tls_min_version`, `tls_cipher_suites`).
 * A section's keys override `defaults`, which override the top-level keys.
 */
import { ConfigError } from './config-error.js';

/** Node's names for the protocol versions Consul lets an operator ask for. */
export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** TLS for one kind of listener (and the connections this agent makes to its kind). */
export interface TlsInterfaceSettings {
  caFile: string | undefined;
  caPath: string | undefined;
  certFile: string | undefined;
  keyFile: string | undefined;
  /** Require a certificate signed by the CA from every peer (a TLS listener only). */
  verifyIncoming: boolean;
  /** Dial with TLS and check the peer's certificate chain against the CA. */
  verifyOutgoing: boolean;
  minVersion: TlsVersion;
  /** OpenSSL cipher list from `tls_cipher_suites`, or undefined for Node's defaults. */
  ciphers: string | undefined;
}

export interface InternalRpcTlsSettings extends TlsInterfaceSettings {
  /** Check that servers present `server.<datacenter>.<domain>` (implies verify_outgoing). */
  verifyServerHostname: boolean;
}

export interface TlsSettings {
  internalRpc: InternalRpcTlsSettings;
  https: TlsInterfaceSettings;
  /** Read and validated; Concord has no external gRPC listener for it to apply to. */
  grpc: TlsInterfaceSettings;
}

type Json = Record<string, unknown>;

const VERSIONS: Record<string, TlsVersion> = {
  TLSv1_0: 'TLSv1',
  TLSv1_1: 'TLSv1.1',
  TLSv1_2: 'TLSv1.2',
  TLSv1_3: 'TLSv1.3',
  // Names from Consul before 1.12, still accepted there with a warning.
  tls10: 'TLSv1',
  tls11: 'TLSv1.1',
  tls12: 'TLSv1.2',
  tls13: 'TLSv1.3',
};

/** Go's names for the suites Consul allows, and OpenSSL's for the same. */
const CIPHER_SUITES: Record<string, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
};

const INTERFACE_KEYS = new Set(['ca_file', 'ca_path', 'cert_file', 'key_file', 'tls_min_version', 'tls_cipher_suites', 'verify_incoming', 'verify_outgoing']);
const SECTION_KEYS: Record<string, Set<string>> = {
  defaults: INTERFACE_KEYS,
  internal_rpc: new Set([...INTERFACE_KEYS, 'verify_server_hostname']),
  https: INTERFACE_KEYS,
  grpc: new Set([...INTERFACE_KEYS, 'use_auto_cert']),
};

/** The top-level keys this module reads, for the config loader's list of known keys. */
export const LEGACY_TLS_KEYS = [
  'ca_file',
  'ca_path',
  'cert_file',
  'key_file',
  'verify_incoming',
  'verify_incoming_rpc',
  'verify_incoming_https',
  'verify_outgoing',
  'verify_server_hostname',
  'tls_min_version',
  'tls_cipher_suites',
  'tls_prefer_server_cipher_suites',
];

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pickString(key: string, ...layers: [Json, string][]): string | undefined {
  let out: string | undefined;
  for (const [layer, where] of layers) {
    const v = layer[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw new ConfigError(`${where}${key} must be a string`);
    out = v === '' ? undefined : v;
  }
  return out;
}

function pickBool(key: string, ...layers: [Json, string][]): boolean | undefined {
  let out: boolean | undefined;
  for (const [layer, where] of layers) {
    const v = layer[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') throw new ConfigError(`${where}${key} must be a boolean`);
    out = v;
  }
  return out;
}

function minVersionOf(raw: string | undefined, where: string): TlsVersion {
  if (raw === undefined) return 'TLSv1.2';
  const v = VERSIONS[raw];
  if (!v) throw new ConfigError(`${where}tls_min_version: TLS version '${raw}' is not supported, please use one of TLSv1_0, TLSv1_1, TLSv1_2, TLSv1_3`);
  return v;
}

function ciphersOf(raw: string | undefined, version: TlsVersion, where: string): string | undefined {
  if (raw === undefined) return undefined;
  if (version === 'TLSv1.3') {
    throw new ConfigError(`${where}tls_cipher_suites: cipher suites are not configurable with TLSv1_3, which Go and OpenSSL fix`);
  }
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const out: string[] = [];
  for (const name of names) {
    const suite = CIPHER_SUITES[name];
    if (!suite) throw new ConfigError(`${where}tls_cipher_suites: unsupported cipher ${JSON.stringify(name)}`);
    out.push(suite);
  }
  return out.length > 0 ? [...new Set(out)].join(':') : undefined;
}

function checkSection(name: string, block: unknown): Json {
  if (block === undefined || block === null) return {};
  if (!isObject(block)) throw new ConfigError(`tls.${name} must be an object`);
  const allowed = SECTION_KEYS[name];
  for (const key of Object.keys(block)) {
    if (!allowed?.has(key)) throw new ConfigError(`tls.${name}: invalid config key ${key}`);
  }
  return block;
}

function resolveInterface(name: string, legacy: Json, defaults: Json, section: Json, legacyIncoming: unknown): TlsInterfaceSettings {
  const where = `tls.${name}.`;
  const layers: [Json, string][] = [
    [legacy, ''],
    [defaults, 'tls.defaults.'],
    [section, where],
  ];
  const minVersion = minVersionOf(pickString('tls_min_version', ...layers), where);
  const incomingLayers: [Json, string][] = [
    [legacy, ''],
    [{ verify_incoming: legacyIncoming }, ''],
    [defaults, 'tls.defaults.'],
    [section, where],
  ];
  return {
    caFile: pickString('ca_file', ...layers),
    caPath: pickString('ca_path', ...layers),
    certFile: pickString('cert_file', ...layers),
    keyFile: pickString('key_file', ...layers),
    verifyIncoming: pickBool('verify_incoming', ...incomingLayers) ?? false,
    verifyOutgoing: pickBool('verify_outgoing', ...layers) ?? false,
    minVersion,
    ciphers: ciphersOf(pickString('tls_cipher_suites', ...layers), minVersion, where),
  };
}

/** Checks one interface as Consul does before it loads any file. */
function validate(name: string, s: TlsInterfaceSettings): void {
  const hasCa = s.caFile !== undefined || s.caPath !== undefined;
  if ((s.certFile === undefined) !== (s.keyFile === undefined)) {
    throw new ConfigError(`tls.${name}: cert_file and key_file must be given together`);
  }
  if (s.verifyIncoming) {
    if (!hasCa) throw new ConfigError(`tls.${name}: VerifyIncoming set but no CA certificates were provided`);
    if (s.certFile === undefined) {
      throw new ConfigError(`tls.${name}: VerifyIncoming requires either a Cert and Key pair in the configuration file, or auto_encrypt/auto_config be enabled`);
    }
  }
  if (s.verifyOutgoing && !hasCa) throw new ConfigError(`tls.${name}: VerifyOutgoing set but no CA certificates were provided`);
}

/** Reads the TLS settings from a merged config file object. */
export function resolveTlsSettings(file: Json): TlsSettings {
  const tls = file.tls;
  if (tls !== undefined && tls !== null && !isObject(tls)) throw new ConfigError('tls must be an object');
  const block = (tls ?? {}) as Json;
  for (const key of Object.keys(block)) {
    if (!(key in SECTION_KEYS)) throw new ConfigError(`tls: invalid config key ${key}`);
  }
  const defaults = checkSection('defaults', block.defaults);
  const legacy: Json = {};
  for (const key of INTERFACE_KEYS) if (key in file) legacy[key] = file[key];
  const rpcSection = checkSection('internal_rpc', block.internal_rpc);
  const rpcBase = resolveInterface('internal_rpc', legacy, defaults, rpcSection, file.verify_incoming_rpc);
  const verifyServerHostname = pickBool('verify_server_hostname', [file, ''], [rpcSection, 'tls.internal_rpc.']) ?? false;
  const internalRpc: InternalRpcTlsSettings = {
    ...rpcBase,
    // Consul: verify_server_hostname implies verify_outgoing.
    verifyOutgoing: rpcBase.verifyOutgoing || verifyServerHostname,
    verifyServerHostname,
  };
  const https = resolveInterface('https', legacy, defaults, checkSection('https', block.https), file.verify_incoming_https);
  const grpc = resolveInterface('grpc', legacy, defaults, checkSection('grpc', block.grpc), undefined);
  validate('internal_rpc', internalRpc);
  validate('https', https);
  validate('grpc', grpc);
  return { internalRpc, https, grpc };
}

/** True when the internal RPC listener serves TLS (a certificate is configured for it). */
export function rpcServesTls(s: TlsSettings): boolean {
  return s.internalRpc.certFile !== undefined;
}
