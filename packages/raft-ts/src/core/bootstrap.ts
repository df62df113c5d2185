import { encodeConfChange, type Entry, type HardState, type NodeId } from './types.js';

/**
 * The initial log of a new cluster: one committed configuration entry at index 1, term 1, naming
 * every initial voter. Nodes that join later receive it (or a snapshot covering it) from the leader,
 * so every member learns the configuration from the log.
 */
export function bootstrapEntries(voters: readonly NodeId[]): { entries: Entry[]; hardState: HardState } {
  const data = encodeConfChange({ changes: [...voters].sort().map((nodeId) => ({ type: 'addVoter' as const, nodeId })) });
  return { entries: [{ term: 1, index: 1, type: 'conf', data }], hardState: { term: 1, vote: '', commit: 1 } };
}
