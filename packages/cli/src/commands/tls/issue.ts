/**
 * Issuing the cluster's certificates as Consul's built-in helpers do: an ECDSA P-256 CA, and
 * leaf certificates signed by it for servers, clients and the CLI. The X.509 library is loaded
 * only when a certificate is made, so other commands do not pay for it.
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

type X509 = typeof import('@peculiar/x509');

let lib: Promise<X509> | undefined;

async function x509(): Promise<X509> {
  lib ??= (async () => {
    await import('reflect-metadata');
    const m = await import('@peculiar/x509');
    m.cryptoProvider.set(webcrypto as Parameters<typeof m.cryptoProvider.set>[1]);
    return m;
  })();
  return lib;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface Issued {
  readonly certPem: string;
  readonly keyPem: string;
}

/** A positive serial number of 128 random bits (hex). */
function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] as number) & 0x7f;
  return b.toString('hex');
}

async function keyPem(m: X509, key: webcrypto.CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  return m.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

export interface CaOptions {
  days: number;
  /** Permitted DNS names (name constraints); none when empty. */
  constraints: readonly string[];
}

/** A self-signed CA certificate and its private key. */
export async function createCa(o: CaOptions): Promise<Issued> {
  const m = await x509();
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const sn = serial();
  const extensions: import('@peculiar/x509').Extension[] = [
    new m.BasicConstraintsExtension(true, undefined, true),
    new m.KeyUsagesExtension(m.KeyUsageFlags.keyCertSign | m.KeyUsageFlags.cRLSign | m.KeyUsageFlags.digitalSignature, true),
    await m.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await m.AuthorityKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (o.constraints.length > 0) extensions.push(nameConstraints(m, o.constraints));
  const now = Date.now();
  const cert = await m.X509CertificateGenerator.createSelfSigned({
    serialNumber: sn,
    name: `CN=Concord Agent CA ${BigInt(`0x${sn}`).toString(10)},O=Concord,OU=Concord Agent CA`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + o.days * DAY_MS),
    keys,
    signingAlgorithm: ALG,
    extensions,
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(m, keys.privateKey) };
}

/** Name constraints permitting the given DNS names and their subdomains (critical, as Consul). */
function nameConstraints(m: X509, names: readonly string[]): import('@peculiar/x509').Extension {
  const permitted = derTagged(0, Buffer.concat(names.map(derGeneralSubtreeDns)), true);
  return new m.Extension('2.5.29.30', true, derSequence(permitted));
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function derSequence(content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x30]), derLength(content.length), content]);
}

function derTagged(tag: number, content: Buffer, constructed: boolean): Buffer {
  return Buffer.concat([Buffer.from([(constructed ? 0xa0 : 0x80) | tag]), derLength(content.length), content]);
}

/** GeneralSubtree ::= SEQUENCE { base GeneralName } with base a dNSName ([2] IA5String). */
function derGeneralSubtreeDns(name: string): Buffer {
  return derSequence(derTagged(2, Buffer.from(name, 'ascii'), false));
}

export interface LeafOptions {
  caCertPem: string;
  caKeyPem: string;
  commonName: string;
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  days: number;
  serverAuth: boolean;
  clientAuth: boolean;
}

/** A certificate signed by the CA, for `commonName` and the given names. */
export async function createLeaf(o: LeafOptions): Promise<Issued> {
  const m = await x509();
  let ca: import('@peculiar/x509').X509Certificate;
  try {
    ca = new m.X509Certificate(o.caCertPem);
  } catch {
    throw new Error('Error parsing CA: not a PEM certificate (are -ca and -key the right way round?)');
  }
  const caKey = await importKey(o.caKeyPem);
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const names: import('@peculiar/x509').JsonGeneralName[] = [
    ...o.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...o.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  const usages: string[] = [];
  if (o.serverAuth) usages.push(m.ExtendedKeyUsage.serverAuth);
  if (o.clientAuth) usages.push(m.ExtendedKeyUsage.clientAuth);
  const extensions: import('@peculiar/x509').Extension[] = [
    new m.BasicConstraintsExtension(false, undefined, true),
    new m.KeyUsagesExtension(m.KeyUsageFlags.digitalSignature | m.KeyUsageFlags.keyEncipherment, true),
    await m.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await m.AuthorityKeyIdentifierExtension.create(ca, false),
  ];
  if (usages.length > 0) extensions.push(new m.ExtendedKeyUsageExtension(usages));
  if (names.length > 0) extensions.push(new m.SubjectAlternativeNameExtension(names));
  const now = Date.now();
  const cert = await m.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${o.commonName}`,
    issuer: ca.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + o.days * DAY_MS),
    signingKey: caKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions,
  });
  const ok = await cert.verify({ publicKey: ca.publicKey, date: new Date() });
  if (!ok) throw new Error('the new certificate does not verify against the CA');
  return { certPem: cert.toString('pem'), keyPem: await keyPem(m, keys.privateKey) };
}

/** Imports a PKCS#8 (or SEC1 "EC PRIVATE KEY") P-256 key for signing. */
async function importKey(pem: string): Promise<webcrypto.CryptoKey> {
  const { createPrivateKey } = await import('node:crypto');
  let der: Buffer;
  try {
    der = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  } catch {
    throw new Error('Error parsing CA key: not a PEM private key (are -ca and -key the right way round?)');
  }
  try {
    return await webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign']);
  } catch {
    throw new Error('Error parsing CA key: only ECDSA P-256 keys are supported');
  }
}

/** The last instant an X.509 validity date can carry (GeneralizedTime ends at year 9999). */
const LAST_X509_DATE_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/** Why `-days` cannot be used, or undefined when it can. */
export function daysProblem(days: number, now = Date.now()): string | undefined {
  if (!Number.isInteger(days) || days <= 0) return '-days must be a positive number of days';
  if (now + days * DAY_MS > LAST_X509_DATE_MS) return `-days ${days} ends after the year 9999, the last a certificate can name`;
  return undefined;
}

export function isIpAddress(s: string): boolean {
  return isIP(s) !== 0;
}
