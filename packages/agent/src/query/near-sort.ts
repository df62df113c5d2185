import { distance } from '@concord/gossip';
import type { NetworkCoordinate, StateStore } from '@concord/state';

/**
 * Consul's `sortNodesByDistanceFrom`: a stable sort by estimated RTT from `source`'s LAN
 * coordinate; nodes without a coordinate go after the others in their original order, and
 * a source without a coordinate leaves the order unchanged.
 */
export function sortByDistance<T>(items: T[], nodeOf: (item: T) => string, source: string | undefined, state: StateStore): T[] {
  if (source === undefined) return items;
  const coords = new Map<string, NetworkCoordinate>();
  for (const e of state.coordinates().value) if (e.Segment === '') coords.set(e.Node, e.Coord);
  const from = coords.get(source);
  if (from === undefined) return items;
  const rtt = (item: T): number => {
    const to = coords.get(nodeOf(item));
    return to === undefined ? Number.POSITIVE_INFINITY : distance(from, to);
  };
  return items
    .map((item, i) => ({ item, i, d: rtt(item) }))
    .sort((a, b) => (a.d === b.d ? a.i - b.i : a.d < b.d ? -1 : 1))
    .map((x) => x.item);
}
