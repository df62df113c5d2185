import type { ApplyContext, StateData } from './data.js';
import type { CoordinateEntry, NetworkCoordinate } from './types.js';

/** Finite numbers everywhere (Serf's `IsValid`); anything else never enters the table. */
function isValidCoordinate(c: NetworkCoordinate | undefined): c is NetworkCoordinate {
  return c !== undefined && c !== null && Array.isArray(c.Vec) && c.Vec.every(Number.isFinite) && [c.Error, c.Adjustment, c.Height].every(Number.isFinite);
}

/**
 * Consul's `CoordinateBatchUpdate`: upserts each entry, silently skipping entries for nodes
 * that are not registered (cleanup is tied to node removal) and invalid ones. The table
 * index moves even when every entry was skipped, as in Consul.
 */
export function coordinateBatchUpdate(ctx: ApplyContext, updates: readonly CoordinateEntry[]): number {
  const { data } = ctx;
  let stored = 0;
  for (const u of updates) {
    if (typeof u?.Node !== 'string' || !data.nodes.has(u.Node) || !isValidCoordinate(u.Coord)) continue;
    let segments = data.coordinates.get(u.Node);
    if (!segments) data.coordinates.set(u.Node, (segments = new Map()));
    const segment = typeof u.Segment === 'string' ? u.Segment : '';
    segments.set(segment, { Vec: [...u.Coord.Vec], Error: u.Coord.Error, Adjustment: u.Coord.Adjustment, Height: u.Coord.Height });
    stored += 1;
  }
  ctx.bumpTable('coordinates');
  return stored;
}

/** Drops a node's coordinates when the node leaves the catalog. */
export function removeNodeCoordinates(ctx: ApplyContext, node: string): void {
  if (!ctx.mapDelete(ctx.data.coordinates, node)) return;
  ctx.bumpTable('coordinates');
}

/** Every stored coordinate, by node then segment. */
export function coordinateEntries(data: StateData, onlyNode?: string): CoordinateEntry[] {
  const out: CoordinateEntry[] = [];
  const nodes = onlyNode === undefined ? [...data.coordinates.keys()].sort() : [onlyNode];
  for (const node of nodes) {
    const segments = data.coordinates.get(node);
    if (!segments) continue;
    for (const segment of [...segments.keys()].sort()) {
      out.push({ Node: node, Segment: segment, Coord: segments.get(segment) as NetworkCoordinate });
    }
  }
  return out;
}
