/**
 * TLS towards an agent's HTTPS API, configured as Consul's clients are: a CA file or directory,
 * a client certificate and key (for agents that verify incoming HTTPS), the server name to check,
 * and whether to check at all. From options or from `CONSUL_CACERT`, `CONSUL_CAPATH`,
 * `CONSUL_CLIENT_CERT`, `CONSUL_CLIENT_KEY`, `CONSUL_TLS_SERVER_NAME`, `CONSUL_HTTP_SSL` and
 * `CONSUL_HTTP_SSL_VERIFY` (each with a `CONCORD_` twin that wins).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { join } from 'node:path';
import { type PeerCertificate, checkServerIdentity } from 'node:tls';

export interface ApiTlsOptions {
  /** PEM file of the CA(s) that signed the agent's certificate. */
  readonly caFile?: string;
  /** Directory of PEM CA files (used when caFile is not given). */
  readonly caPath?: string;
  /** Client certificate and key, for agents with `verify_incoming` on HTTPS. */
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Name to check the agent's certificate against (default: the address's host). */
  readonly serverName?: string;
  /** Do not check the agent's certificate at all. */
  readonly insecureSkipVerify?: boolean;
}

function envOf(env: NodeJS.ProcessEnv, name: string): string | undefined {
  for (const key of [`CONCORD_${name}`, `CONSUL_${name}`]) {
    const v = env[key];
    if (v !== undefined && v.trim() !== '') return v.trim();
  }
  return undefined;
}

function envBool(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const v = envOf(env, name);
  if (v === undefined) return undefined;
  if (/^(1|t|true)$/i.test(v)) return true;
  if (/^(0|f|false)$/i.test(v)) return false;
  throw new Error(`Could not parse ${name}: ${JSON.stringify(v)} is not a boolean`);
}

/** The TLS settings the environment asks for, and whether it asks for https:// by default. */
export function tlsFromEnv(env: NodeJS.ProcessEnv = process.env): { tls: ApiTlsOptions; useSsl: boolean } {
  const verify = envBool(env, 'HTTP_SSL_VERIFY');
  const tls: ApiTlsOptions = {
    ...optional('caFile', envOf(env, 'CACERT')),
    ...optional('caPath', envOf(env, 'CAPATH')),
    ...optional('certFile', envOf(env, 'CLIENT_CERT')),
    ...optional('keyFile', envOf(env, 'CLIENT_KEY')),
    ...optional('serverName', envOf(env, 'TLS_SERVER_NAME')),
    ...(verify === false ? { insecureSkipVerify: true } : {}),
  };
  return { tls, useSsl: envBool(env, 'HTTP_SSL') ?? false };
}

function optional<K extends string>(key: K, v: string | undefined): Partial<Record<K, string>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, string>);
}

/** Options merged field by field: `over` wins where it says something. */
export function mergeTls(base: ApiTlsOptions, over: ApiTlsOptions): ApiTlsOptions {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) if (v !== undefined) out[k] = v;
  return out as ApiTlsOptions;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`Error loading ${what} ${path}: ${(err as Error).message}`);
  }
}

function caBundle(o: ApiTlsOptions): Buffer[] | undefined {
  if (o.caFile) return [readPem(o.caFile, 'CA file')];
  if (!o.caPath) return undefined;
  let names: string[];
  try {
    names = readdirSync(o.caPath).sort();
  } catch (err) {
    throw new Error(`Error loading CA path ${o.caPath}: ${(err as Error).message}`);
  }
  const files = names.map((n) => join(o.caPath as string, n)).filter((p) => statSync(p).isFile());
  if (files.length === 0) throw new Error(`Error loading CA path ${o.caPath}: no CA files found`);
  return files.map((p) => readPem(p, 'CA file'));
}

/** A keep-alive HTTPS agent with these settings; undefined when they say nothing. */
export function httpsAgentFor(o: ApiTlsOptions): HttpsAgent | undefined {
  const said = o.caFile || o.caPath || o.certFile || o.keyFile || o.serverName || o.insecureSkipVerify;
  if (!said) return undefined;
  if (Boolean(o.certFile) !== Boolean(o.keyFile)) throw new Error('A client certificate needs its key, and a key its certificate');
  const ca = caBundle(o);
  return new HttpsAgent({
    keepAlive: true,
    ...(ca ? { ca } : {}),
    ...(o.certFile ? { cert: readPem(o.certFile, 'client certificate') } : {}),
    ...(o.keyFile ? { key: readPem(o.keyFile, 'client key') } : {}),
    ...(o.serverName ? { servername: o.serverName } : {}),
    // The certificate is checked against the configured name, not the address dialled.
    ...(o.serverName ? { checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(o.serverName as string, cert) } : {}),
    rejectUnauthorized: !o.insecureSkipVerify,
  });
}
