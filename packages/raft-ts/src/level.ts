// raft-ts/level: durable Raft storage on `level`.
export { LevelStorage } from './storage/level-storage.js';
