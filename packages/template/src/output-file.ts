/**
 * Writing a rendered template: only when the contents differ from what the
 * destination holds, through a temporary file in the same directory that is
 * synced and renamed over the destination (readers never see half a file),
 * keeping the existing file's mode unless `perms` says otherwise, with an
 * optional `.bak` copy of the previous contents.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface WriteOptions {
  readonly perms?: number;
  readonly backup: boolean;
  readonly createDestDirs: boolean;
}

const DEFAULT_PERMS = 0o644;

/** Writes `contents` to `dest` if it differs; resolves whether the file changed. */
export async function writeIfChanged(dest: string, contents: string, options: WriteOptions): Promise<boolean> {
  let existing: Buffer | undefined;
  let mode: number | undefined;
  try {
    const st = await fs.stat(dest);
    mode = st.mode & 0o7777;
    existing = await fs.readFile(dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const wanted = options.perms ?? mode ?? DEFAULT_PERMS;
  if (existing?.equals(Buffer.from(contents, 'utf8')) && (options.perms === undefined || mode === options.perms)) return false;
  const dir = dirname(dest);
  if (options.createDestDirs) await fs.mkdir(dir, { recursive: true });
  if (options.backup && existing !== undefined) await fs.writeFile(`${dest}.bak`, existing, { mode: mode ?? DEFAULT_PERMS });
  const tmp = join(dir, `.${basename(dest)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'wx', wanted);
  try {
    await handle.writeFile(contents, 'utf8');
    await handle.chmod(wanted);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, dest);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  return true;
}
