/**
 * Consul's Internal endpoint: what agents read through a server for their own work — the
 * catalog view of their node (anti-entropy, alias checks) and the DNS view (a client agent's DNS
 * interface) — and the summaries the web UI reads.
 */
import type { QueryResult, StateStore } from '@concord/state';
import { type DnsCatalog, stateCatalog } from '../../dns/catalog.js';
import { nodeDetail, nodeSummaries, serviceSummaries } from './ui-summaries.js';
import type { NodeCatalogView } from '../../local/anti-entropy.js';
import { serverRemoteQueries } from '../remote-queries.js';
import { optStr, record, str } from '../args.js';
import { type MethodEnv, callMethod, queryMethod } from '../method.js';

const catalogs = new WeakMap<StateStore, Map<string, DnsCatalog>>();

/** The DNS view of the state, seen from the node the request arrived at. */
function dnsOf({ agent, options }: MethodEnv): DnsCatalog {
  const state = agent.server.state;
  let byNode = catalogs.get(state);
  if (!byNode) catalogs.set(state, (byNode = new Map()));
  const node = options.originNode || agent.config.nodeName;
  let c = byNode.get(node);
  if (!c) {
    if (byNode.size > 4096) byNode.clear();
    // DNS reads are stale by default: a failover asks other datacenters the same way.
    byNode.set(node, (c = stateCatalog(state, { agentNode: node, remote: serverRemoteQueries(agent, { consistency: 'stale', token: '' }) })));
  }
  return c;
}

const noArgs = (raw: unknown) => (record(raw), {});

export const internalMethods = {
  'Internal.NodeState': queryMethod(
    (raw) => ({ node: str(record(raw), 'node') }),
    ({ agent }, { node }): QueryResult<NodeCatalogView> => {
      const state = agent.server.state;
      const services = state.nodeServices(node);
      const checks = state.nodeChecks(node);
      return {
        value: { node: state.node(node), services: state.servicesOnNode(node), checks: checks.value, nodeCount: state.nodes().value.length },
        index: Math.max(services.index, checks.index),
        topics: [...services.topics, ...checks.topics],
      };
    },
  ),
  'Internal.DNSServiceInstances': callMethod(
    'read',
    (raw): { service: string; tag?: string } => {
      const r = record(raw);
      const tag = optStr(r, 'tag');
      return tag === undefined ? { service: str(r, 'service') } : { service: str(r, 'service'), tag };
    },
    async (env, { service, tag }) => ({ value: await dnsOf(env).serviceInstances(service, tag || undefined) }),
  ),
  'Internal.DNSNode': callMethod(
    'read',
    (raw) => ({ node: str(record(raw), 'node') }),
    async (env, { node }) => ({ value: (await dnsOf(env).node(node)) ?? null }),
  ),
  'Internal.DNSNodes': callMethod('read', noArgs, async (env) => ({ value: await dnsOf(env).nodes() })),
  'Internal.DNSPreparedQuery': callMethod(
    'read',
    (raw) => ({ query: str(record(raw), 'query') }),
    async (env, { query }) => ({ value: (await dnsOf(env).preparedQuery(query, env.options.sourceIp || undefined)) ?? null }),
  ),
  'Internal.DNSServiceByAddress': callMethod(
    'read',
    (raw) => ({ address: str(record(raw), 'address') }),
    async (env, { address }) => ({ value: (await dnsOf(env).serviceByAddress(address)) ?? null }),
  ),
  'Internal.UIServices': queryMethod(noArgs, ({ agent, shape }) => serviceSummaries(agent.server.state, shape.filter)),
  'Internal.UINodes': queryMethod(noArgs, ({ agent, shape }) => nodeSummaries(agent.server.state, shape.filter)),
  'Internal.UINodeInfo': queryMethod(
    (raw) => ({ node: str(record(raw), 'node') }),
    ({ agent }, { node }) => nodeDetail(agent.server.state, node),
  ),
};
