import type { CheckEntry, NodeEntry, QueryResult, ServiceEntry, StateStore } from '@concord/state';
import type { Filter } from '../../filter/bexpr.js';

/** One service as `/v1/internal/ui/services` lists it (Consul's ServiceListingSummary). */
export interface UiServiceSummary {
  Kind?: string;
  Name: string;
  Datacenter: string;
  /** null when no instance has tags, as Consul's nil slice. */
  Tags: string[] | null;
  Nodes: string[];
  /** null when no instance names an `external-source` in its meta. */
  ExternalSources: string[] | null;
  InstanceCount: number;
  ChecksPassing: number;
  ChecksWarning: number;
  ChecksCritical: number;
  GatewayConfig: Record<string, never>;
  TransparentProxy: boolean;
  ConnectNative: boolean;
  ConnectedWithProxy: boolean;
  ConnectedWithGateway: boolean;
}

/** One node as `/v1/internal/ui/nodes` and `/v1/internal/ui/node/<node>` show it (Consul's NodeInfo). */
export interface UiNodeInfo extends Omit<NodeEntry, 'CreateIndex' | 'ModifyIndex'> {
  Services: (ServiceEntry & { Kind: string })[];
  Checks: CheckEntry[];
}

const EXTERNAL_SOURCE_META = 'external-source';

/** The catalog tables the UI summaries read: their highest index and the topics to watch. */
function catalogTables(state: StateStore): { index: number; topics: string[] } {
  const parts = [state.nodes(), state.services(), state.checksInState('any')];
  return { index: Math.max(...parts.map((p) => p.index)), topics: parts.flatMap((p) => p.topics) };
}

/**
 * Every service with its tags, nodes, instance count and check counts, sorted by name. A check
 * counts once per node (a node check shared by two instances on one node counts once), as in
 * Consul's summarizeServices. `filter` (`?filter=`) selects instances (`{Node, Service, Checks}`)
 * before they are summarized, as Consul filters its service dump.
 */
export function serviceSummaries(state: StateStore, filter?: Filter): QueryResult<UiServiceSummary[]> {
  const value: UiServiceSummary[] = [];
  for (const name of Object.keys(state.services().value)) {
    const tags = new Set<string>();
    const nodes = new Set<string>();
    const sources = new Set<string>();
    const checks = new Map<string, CheckEntry>();
    let kind = '';
    let datacenter = '';
    let instances = 0;
    for (const entry of state.healthService(name).value) {
      if (filter && !filter(entry)) continue;
      const { Node, Service, Checks } = entry;
      instances++;
      nodes.add(Node.Node);
      datacenter = Node.Datacenter;
      kind = Service.Kind ?? '';
      for (const t of Service.Tags) tags.add(t);
      const source = Service.Meta?.[EXTERNAL_SOURCE_META];
      if (source) sources.add(source);
      for (const c of Checks) checks.set(`${Node.Node}\u0000${c.CheckID}`, c);
    }
    if (instances === 0) continue;
    const count = (s: string) => [...checks.values()].filter((c) => c.Status === s).length;
    value.push({
      ...(kind ? { Kind: kind } : {}),
      Name: name,
      Datacenter: datacenter,
      Tags: tags.size > 0 ? [...tags].sort() : null,
      Nodes: [...nodes].sort(),
      ExternalSources: sources.size > 0 ? [...sources] : null,
      InstanceCount: instances,
      ChecksPassing: count('passing'),
      ChecksWarning: count('warning'),
      ChecksCritical: count('critical'),
      GatewayConfig: {},
      TransparentProxy: false,
      ConnectNative: false,
      ConnectedWithProxy: false,
      ConnectedWithGateway: false,
    });
  }
  value.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  return { value, ...catalogTables(state) };
}

function nodeInfo(state: StateStore, node: NodeEntry): UiNodeInfo {
  const services = state
    .servicesOnNode(node.Node)
    .map((s) => ({ ...s, Kind: s.Kind ?? '' }))
    .sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0));
  return {
    ID: node.ID,
    Node: node.Node,
    Address: node.Address,
    Datacenter: node.Datacenter,
    TaggedAddresses: node.TaggedAddresses,
    Meta: node.Meta,
    Services: services,
    Checks: state.nodeChecks(node.Node).value,
  };
}

/** Every node with its services and checks, sorted by name (Consul's Internal.NodeDump), optionally filtered. */
export function nodeSummaries(state: StateStore, filter?: Filter): QueryResult<UiNodeInfo[]> {
  const all = state.nodes().value.map((n) => nodeInfo(state, n));
  return { value: filter ? all.filter((n) => filter(n)) : all, ...catalogTables(state) };
}

/** One node with its services and checks; `null` when there is no such node. */
export function nodeDetail(state: StateStore, name: string): QueryResult<UiNodeInfo | null> {
  const node = state.node(name);
  return { value: node ? nodeInfo(state, node) : null, ...catalogTables(state) };
}
