/**
 * The data dir holds the raft log (every KV value), the gossip keyring, the node ID and the local
 * services and checks: it is 0700 and every file in it 0600, whatever the umask the agent was
 * started with, also for a data dir created by an earlier, looser version.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;

/** Entries visited at most when tightening an existing data dir (a raft db holds far fewer). */
const MAX_ENTRIES = 100_000;

/**
 * Creates `dir` if needed, makes it and every directory below it 0700 and every file 0600, and
 * sets the process umask to 077 so that files created later (LevelDB's among them, whose modes
 * the agent does not choose) are private too.
 */
export function secureDataDir(dir: string): void {
  process.umask(0o077);
  mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  let budget = MAX_ENTRIES;
  const walk = (d: string): void => {
    chmodSync(d, DATA_DIR_MODE);
    for (const name of readdirSync(d)) {
      if (--budget < 0) return;
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && (st.mode & 0o777) !== DATA_FILE_MODE) chmodSync(p, DATA_FILE_MODE);
    }
  };
  walk(dir);
}
