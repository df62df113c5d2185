// raft-ts/level: durable Raft storage on `level`.
export { LevelStorage, type LevelStorageOptions } from './storage/level-storage.js';
export { openWalMigratingLevel } from './storage/level-to-wal.js';
