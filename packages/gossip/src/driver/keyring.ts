import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { GossipDecryptError, GossipKeyringError } from '../errors.js';

/** Format version byte, 12-byte nonce and 16-byte GCM tag around each message. */
const VERSION = 1;

/** Whether a message starting with `firstByte` is sealed (plaintext JSON starts with `[` or `{`). */
export function looksSealed(firstByte: number | undefined): boolean {
  return firstByte === VERSION;
}
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const ENCRYPTION_OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES;

/** A new random 32-byte key in base64, as `consul keygen` prints. */
export function generateKey(): string {
  return randomBytes(32).toString('base64');
}

function decodeKey(key: string): Buffer {
  const buf = Buffer.from(key, 'base64');
  if (buf.toString('base64') !== key.trim() || ![16, 24, 32].includes(buf.length)) {
    throw new GossipKeyringError('a key must be 16, 24 or 32 bytes, base64-encoded');
  }
  return buf;
}

function cipherName(key: Buffer): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  return key.length === 16 ? 'aes-128-gcm' : key.length === 24 ? 'aes-192-gcm' : 'aes-256-gcm';
}

/**
 * The gossip encryption keys: one primary key encrypts, every installed key may
 * decrypt. Rotation without downtime is install the new key everywhere, `use` it
 * everywhere, then `remove` the old one, as `consul keyring` does.
 */
export class Keyring {
  #keys: Buffer[] = [];

  /** The first key becomes the primary. */
  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new GossipKeyringError('a keyring needs at least one key');
    for (const k of keys) this.install(k);
  }

  /** Add a key that may decrypt; it does not become primary. */
  install(key: string): void {
    const buf = decodeKey(key);
    if (!this.#keys.some((k) => k.equals(buf))) this.#keys.push(buf);
  }

  /** Make an installed key the primary (encrypting) key. */
  use(key: string): void {
    const buf = decodeKey(key);
    const i = this.#keys.findIndex((k) => k.equals(buf));
    if (i < 0) throw new GossipKeyringError('the key is not installed');
    const [k] = this.#keys.splice(i, 1);
    if (k !== undefined) this.#keys.unshift(k);
  }

  /** Remove a key; the primary key cannot be removed. */
  remove(key: string): void {
    const buf = decodeKey(key);
    const i = this.#keys.findIndex((k) => k.equals(buf));
    if (i < 0) throw new GossipKeyringError('the key is not installed');
    if (i === 0) throw new GossipKeyringError('the primary key cannot be removed; use another key first');
    this.#keys.splice(i, 1);
  }

  /** Installed keys in base64, primary first. */
  list(): string[] {
    return this.#keys.map((k) => k.toString('base64'));
  }

  get primary(): string {
    return (this.#keys[0] as Buffer).toString('base64');
  }

  encrypt(plain: Uint8Array): Buffer {
    const key = this.#keys[0] as Buffer;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(cipherName(key), key, nonce);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), nonce, body, cipher.getAuthTag()]);
  }

  /** Decrypt with whichever installed key fits; throws `GossipDecryptError` if none does. */
  decrypt(msg: Uint8Array): Buffer {
    if (msg.length < ENCRYPTION_OVERHEAD || msg[0] !== VERSION) {
      throw new GossipDecryptError('message is not encrypted in a known format');
    }
    const buf = Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
    const nonce = buf.subarray(1, 1 + NONCE_BYTES);
    const body = buf.subarray(1 + NONCE_BYTES, buf.length - TAG_BYTES);
    const tag = buf.subarray(buf.length - TAG_BYTES);
    for (const key of this.#keys) {
      try {
        const d = createDecipheriv(cipherName(key), key, nonce);
        d.setAuthTag(tag);
        return Buffer.concat([d.update(body), d.final()]);
      } catch {
        // Try the next key.
      }
    }
    throw new GossipDecryptError();
  }
}
