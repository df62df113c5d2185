import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';

/** A node keeps its ID across restarts: it is kept in `<data-dir>/node-id`, as Consul does. */
export function persistedNodeId(dataDir: string | undefined, checkOnly: boolean): string {
  if (!dataDir || checkOnly) return randomUUID();
  const path = join(dataDir, 'node-id');
  try {
    const id = readFileSync(path, 'utf8').trim();
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return id.toLowerCase();
  } catch {
    // a new node
  }
  const id = randomUUID();
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(path, id, { mode: 0o600 });
  } catch (err) {
    throw new ConfigError(`Error saving the node ID in ${path}: ${(err as Error).message}`);
  }
  return id;
}
