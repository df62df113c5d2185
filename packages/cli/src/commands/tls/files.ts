/** Writing the CA and certificate files: never over an existing file; keys readable by the owner only. */
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';

export function exists(path: string): boolean {
  return existsSync(path);
}

/** Creates `path` with `mode` (0600 for keys whatever the umask); fails if it exists. */
export async function writeNew(path: string, content: string, mode: number): Promise<void> {
  const fh = await open(path, 'wx', mode);
  try {
    await fh.chmod(mode);
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
