/** Consul's Snapshot endpoint: save the whole state (gzip, base64 on the wire) and restore it. */
import { encodeSnapshotFile } from './snapshot-file.js';
import { record } from '../args.js';
import { callMethod } from '../method.js';
import { applyMethod } from './apply.js';

export interface SavedSnapshot {
  index: number;
  /** The snapshot file (gzip), base64. */
  file: string;
}

export const snapshotMethods = {
  'Snapshot.Save': callMethod(
    'read',
    (raw) => (record(raw), {}),
    async ({ agent, options }) => {
      if (options.consistency !== 'stale') await agent.cluster.consistentBarrier();
      const state = agent.server.state.snapshot();
      const value: SavedSnapshot = { index: state.index, file: encodeSnapshotFile(state).toString('base64') };
      return { value, index: state.index };
    },
  ),
  'Snapshot.Restore': applyMethod(['restore']),
};
