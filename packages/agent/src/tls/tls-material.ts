/**
 * The certificate files one TLS interface names, read and checked: the CA bundle (`ca_file`, or
 * every file under `ca_path`), and this agent's certificate with its key. Read again on reload;
 * a reload that fails keeps what was loaded before.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TlsInterfaceSettings } from '../config/tls-settings.js';

export class TlsMaterialError extends Error {
  readonly code = 'TLS_MATERIAL';
}

export interface TlsFiles {
  /** Every CA certificate, PEM, concatenated; undefined when none is configured. */
  readonly ca: Buffer | undefined;
  readonly cert: Buffer | undefined;
  readonly key: Buffer | undefined;
}

/** Largest certificate or key file read (a CA bundle of a few hundred certificates fits). */
const MAX_FILE_BYTES = 1024 * 1024;

function readBounded(path: string): Buffer {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    throw new TlsMaterialError(`Error loading from ${path}: ${(err as Error).message}`);
  }
  if (size > MAX_FILE_BYTES) throw new TlsMaterialError(`Error loading from ${path}: larger than ${MAX_FILE_BYTES} bytes`);
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TlsMaterialError(`Error loading from ${path}: ${(err as Error).message}`);
  }
}

/** The PEM blocks of a file that are certificates, each checked to parse. */
function certificatesIn(pem: Buffer, path: string): string[] {
  const blocks = pem.toString('utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new TlsMaterialError(`Error loading from ${path}: no PEM certificate found`);
  for (const b of blocks) {
    try {
      new X509Certificate(b);
    } catch (err) {
      throw new TlsMaterialError(`Error loading from ${path}: ${(err as Error).message}`);
    }
  }
  return blocks;
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (st.isFile()) out.push(p);
  }
}

function loadCa(s: TlsInterfaceSettings): Buffer | undefined {
  if (s.caFile !== undefined) return Buffer.from(`${certificatesIn(readBounded(s.caFile), s.caFile).join('\n')}\n`);
  if (s.caPath === undefined) return undefined;
  const files: string[] = [];
  try {
    walk(s.caPath, files);
  } catch (err) {
    throw new TlsMaterialError(`Error loading from ${s.caPath}: ${(err as Error).message}`);
  }
  if (files.length === 0) throw new TlsMaterialError('Error loading from CAPath: no CAs found');
  const blocks = files.flatMap((f) => certificatesIn(readBounded(f), f));
  return Buffer.from(`${blocks.join('\n')}\n`);
}

function loadKeyPair(s: TlsInterfaceSettings): { cert: Buffer; key: Buffer } | undefined {
  if (s.certFile === undefined || s.keyFile === undefined) return undefined;
  const cert = readBounded(s.certFile);
  const key = readBounded(s.keyFile);
  try {
    const leaf = new X509Certificate(cert);
    if (!leaf.checkPrivateKey(createPrivateKey(key))) throw new Error('private key does not match public key');
  } catch (err) {
    throw new TlsMaterialError(`Failed to load cert/key pair: ${(err as Error).message}`);
  }
  return { cert, key };
}

/** Reads the files an interface names; throws TlsMaterialError with Consul's wording. */
export function loadTlsFiles(s: TlsInterfaceSettings): TlsFiles {
  const ca = loadCa(s);
  const pair = loadKeyPair(s);
  return { ca, cert: pair?.cert, key: pair?.key };
}

/** Holds the current files of one interface and tells listeners when a reload changed them. */
export class TlsMaterial {
  #settings: TlsInterfaceSettings;
  #files: TlsFiles;
  readonly #listeners = new Set<(files: TlsFiles) => void>();

  constructor(settings: TlsInterfaceSettings) {
    this.#settings = settings;
    this.#files = loadTlsFiles(settings);
  }

  get settings(): TlsInterfaceSettings {
    return this.#settings;
  }

  get files(): TlsFiles {
    return this.#files;
  }

  onChange(fn: (files: TlsFiles) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /**
   * Reads the files again (from new settings when given, same paths otherwise). Throws, keeping
   * the files loaded before, when they cannot be read or do not fit together.
   */
  reload(settings: TlsInterfaceSettings = this.#settings): boolean {
    const next = loadTlsFiles(settings);
    this.#settings = settings;
    const changed = !same(next.ca, this.#files.ca) || !same(next.cert, this.#files.cert) || !same(next.key, this.#files.key);
    this.#files = next;
    if (changed) for (const fn of this.#listeners) fn(next);
    return changed;
  }
}

function same(a: Buffer | undefined, b: Buffer | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.equals(b);
}
