/**
 * The gossip keyring of this agent: loaded from `<data-dir>/serf/local.keyring` when present
 * (it then wins over `-encrypt`, as in Consul), changed by `concord keyring`, saved on change.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Keyring } from '@concord/gossip';
import { operationFailed } from '../errors/agent-error.js';

export type KeyringOp = 'list' | 'install' | 'use' | 'remove';

export const KEYRING_OPS: readonly KeyringOp[] = ['list', 'install', 'use', 'remove'];

export interface KeyringView {
  keys: string[];
  primary: string;
}

export class KeyringStore {
  readonly keyring: Keyring | undefined;
  readonly #path: string | undefined;

  constructor(encrypt: string | undefined, dataDir: string | undefined) {
    this.#path = dataDir ? join(dataDir, 'serf', 'local.keyring') : undefined;
    const saved = this.#load();
    const keys = saved.length > 0 ? saved : encrypt ? [encrypt] : [];
    this.keyring = keys.length > 0 ? new Keyring(keys) : undefined;
    if (this.keyring && saved.length === 0) this.#save();
  }

  #load(): string[] {
    if (!this.#path) return [];
    try {
      const keys = JSON.parse(readFileSync(this.#path, 'utf8')) as unknown;
      return Array.isArray(keys) && keys.every((k) => typeof k === 'string') ? (keys as string[]) : [];
    } catch {
      return [];
    }
  }

  #save(): void {
    if (!this.#path || !this.keyring) return;
    const list = this.keyring.list();
    const primary = this.keyring.primary;
    const ordered = [primary, ...list.filter((k) => k !== primary)];
    mkdirSync(dirname(this.#path), { recursive: true, mode: 0o700 });
    writeFileSync(`${this.#path}.tmp`, JSON.stringify(ordered), { mode: 0o600 });
    renameSync(`${this.#path}.tmp`, this.#path);
  }

  view(): KeyringView {
    if (!this.keyring) return { keys: [], primary: '' };
    return { keys: this.keyring.list(), primary: this.keyring.primary };
  }

  /** Applies one operation; errors are OPERATION_FAILED AgentErrors with Consul's wording. */
  apply(op: KeyringOp, key: string): KeyringView {
    const ring = this.keyring;
    if (!ring) throw operationFailed('keyring: gossip encryption is not enabled');
    try {
      if (op === 'install') ring.install(key);
      else if (op === 'use') ring.use(key);
      else if (op === 'remove') ring.remove(key);
    } catch (err) {
      throw operationFailed(`keyring: ${(err as Error).message}`);
    }
    if (op !== 'list') this.#save();
    return this.view();
  }

  /** Follows another agent's keyring: installs its keys, uses its primary, drops the rest. */
  follow(remote: KeyringView): void {
    const ring = this.keyring;
    if (!ring || !remote.primary) return;
    let changed = false;
    for (const k of remote.keys) {
      if (!ring.list().includes(k)) {
        ring.install(k);
        changed = true;
      }
    }
    if (ring.primary !== remote.primary) {
      ring.use(remote.primary);
      changed = true;
    }
    for (const k of ring.list()) {
      if (!remote.keys.includes(k)) {
        ring.remove(k);
        changed = true;
      }
    }
    if (changed) this.#save();
  }
}
