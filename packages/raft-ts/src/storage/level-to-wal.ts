import { access, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LevelStorage } from './level-storage.js';
import { syncDir } from './snapshot-files.js';
import { WalStorage, type WalStorageOptions } from './wal-storage.js';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Opens the write-ahead log at `walDir`, first carrying over a log kept in LevelDB at `levelDir`
 * (data dirs written before WalStorage) when there is no WAL yet: the LevelDB log is opened (and
 * refused with `LogCorruptionError` if damaged, as before), its hard state, snapshot and entries
 * are written to a new WAL beside it under a temporary name, synced, renamed to `walDir`, and only
 * then is the LevelDB directory removed. A crash at any point leaves one complete log to start from.
 */
export async function openWalMigratingLevel(walDir: string, levelDir: string, options: WalStorageOptions = {}): Promise<WalStorage> {
  const hasWal = await exists(walDir);
  if (!hasWal && (await exists(levelDir))) {
    const old = await LevelStorage.open(levelDir);
    const tmp = `${walDir}.migrating`;
    try {
      await rm(tmp, { recursive: true, force: true });
      const first = old.firstIndex();
      const last = old.lastIndex();
      const snap = old.snapshot();
      const wal = await WalStorage.create(
        tmp,
        {
          hardState: old.initialState().hardState,
          snapshot: snap.meta.index > 0 ? snap : undefined,
          compactIndex: first - 1,
          compactTerm: old.term(first - 1),
          entries: last >= first ? old.entries(first, last + 1, Number.POSITIVE_INFINITY) : [],
        },
        options,
      );
      await wal.close();
    } finally {
      await old.close();
    }
    await rename(tmp, walDir);
    await syncDir(dirname(walDir));
  }
  // A LevelDB directory beside a complete WAL was carried over already (a crash before its removal).
  if (await exists(levelDir)) await rm(levelDir, { recursive: true, force: true });
  return WalStorage.open(walDir, options);
}
