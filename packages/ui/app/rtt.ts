import type { Coordinate } from './types.js';

/**
 * The estimated round-trip time in milliseconds between two network coordinates, computed as
 * Serf does: the Euclidean distance of the vectors plus both heights, plus both adjustments when
 * that stays positive.
 */
export function rttMs(a: Coordinate['Coord'], b: Coordinate['Coord']): number | undefined {
  if (a.Vec.length !== b.Vec.length) return undefined;
  let sum = 0;
  for (let i = 0; i < a.Vec.length; i++) {
    const d = (a.Vec[i] ?? 0) - (b.Vec[i] ?? 0);
    sum += d * d;
  }
  const dist = Math.sqrt(sum) + a.Height + b.Height;
  const adjusted = dist + a.Adjustment + b.Adjustment;
  return (adjusted > 0 ? adjusted : dist) * 1000;
}
