import type { NodeId } from './types.js';

/** The largest index acknowledged by a majority of `voters`, given each voter's match index. */
export function committedIndex(voters: readonly NodeId[], match: (id: NodeId) => number): number {
  if (voters.length === 0) return Number.MAX_SAFE_INTEGER;
  const m = voters.map(match).sort((a, b) => b - a);
  return m[Math.floor(voters.length / 2)]!;
}

export type VoteResult = 'pending' | 'won' | 'lost';

export function voteResult(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.length === 0) return 'won';
  let granted = 0;
  let rejected = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === true) granted++;
    else if (v === false) rejected++;
  }
  const q = Math.floor(voters.length / 2) + 1;
  if (granted >= q) return 'won';
  if (voters.length - rejected >= q) return 'pending';
  return 'lost';
}

export function isQuorum(voters: readonly NodeId[], has: (id: NodeId) => boolean): boolean {
  let n = 0;
  for (const id of voters) if (has(id)) n++;
  return n >= Math.floor(voters.length / 2) + 1;
}
