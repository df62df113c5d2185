/**
 * Prepared query failover, as Consul's `queryFailover`: when the local datacenter has no
 * instance to offer, the query is run in the `NearestN` nearest other datacenters (by WAN round
 * trip), then in the listed `Datacenters` not already tried (unknown ones skipped), in that
 * order, until one answers with instances. `Failovers` counts the datacenters asked.
 */
import type { HealthServiceEntry, PreparedQuery } from '@concord/state';
import type { RemoteQueries } from './remote-queries.js';

/** The datacenters a query fails over to, in the order they are tried. */
export function failoverDatacenters(failover: PreparedQuery['Service']['Failover'], nearest: readonly string[]): string[] {
  const known = new Set(nearest);
  const out: string[] = [];
  const chosen = new Set<string>();
  if (failover.NearestN > 0) {
    for (const dc of nearest.slice(0, failover.NearestN)) {
      out.push(dc);
      chosen.add(dc);
    }
  }
  // Consul's AsTargets: Targets when given, else Datacenters. Peers do not exist in Concord.
  const listed = failover.Targets && failover.Targets.length > 0 ? failover.Targets.map((t) => t.Datacenter) : (failover.Datacenters ?? []);
  for (const dc of listed) {
    if (dc === '' || !known.has(dc) || chosen.has(dc)) continue;
    out.push(dc);
    chosen.add(dc);
  }
  return out;
}

export interface FailoverResult {
  nodes: HealthServiceEntry[];
  /** The datacenter of the last answer received (`fallback` when none answered). */
  datacenter: string;
  /** How many datacenters were asked. */
  failovers: number;
}

export interface FailoverLogger {
  warn(obj: object, msg?: string): void;
}

/** Tries the failover datacenters in order; a datacenter that fails is logged and skipped. */
export async function runFailover(query: PreparedQuery, remote: RemoteQueries, limit: number, fallback: string, logger?: FailoverLogger): Promise<FailoverResult> {
  const dcs = failoverDatacenters(query.Service.Failover, remote.otherDatacentersByDistance());
  let datacenter = fallback;
  let nodes: HealthServiceEntry[] = [];
  let failovers = 0;
  for (const dc of dcs) {
    failovers++;
    nodes = [];
    try {
      const r = await remote.execute(dc, query, limit);
      datacenter = r.Datacenter;
      nodes = r.Nodes ?? [];
    } catch (err) {
      logger?.warn({ service: query.Service.Service, datacenter: dc, err: String(err) }, 'prepared query: failed querying for service in datacenter');
      continue;
    }
    if (nodes.length > 0) break;
  }
  return { nodes, datacenter, failovers };
}
