/** The DATA argument of `kv put` and `kv import`: `@file`, `-` for stdin, or the text itself. */
import { readFile } from 'node:fs/promises';
import type { Io } from '../../io.js';

export async function readDataArg(data: string, io: Io): Promise<Buffer> {
  if (data.startsWith('@')) {
    try {
      return await readFile(data.slice(1));
    } catch (err) {
      throw new Error(`Failed to read file: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (data === '-') {
    try {
      return await io.readStdin();
    } catch (err) {
      throw new Error(`Failed to read stdin: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return Buffer.from(data, 'utf8');
}

/** Strips one leading `/`, as Consul's kv commands do. */
export function normalizeKey(key: string): string {
  return key.startsWith('/') ? key.slice(1) : key;
}
