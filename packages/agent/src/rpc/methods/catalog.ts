/** Consul's Catalog endpoint: registrations through raft and the catalog reads, shaped as asked. */
import type { NodeServices } from '@concord/state';
import { sortByDistance } from '../../query/near-sort.js';
import { record, str, strList } from '../args.js';
import { type Shaping, callMethod, queryMethod } from '../method.js';
import { applyMethod } from './apply.js';

/** `?filter` over a list. */
export function filtered<T>(items: T[], shape: Shaping): T[] {
  const f = shape.filter;
  return f ? items.filter((x) => f(x)) : items;
}

export const catalogMethods = {
  // Anti-entropy updates a check's status as a registration does.
  'Catalog.Register': applyMethod(['register', 'check-status']),
  'Catalog.Deregister': applyMethod(['deregister']),
  'Catalog.ListDatacenters': callMethod(
    'server',
    (raw) => (record(raw), {}),
    async ({ agent }) => ({ value: agent.datacenters.known() }),
  ),
  'Catalog.ListNodes': queryMethod(
    (raw) => (record(raw), {}),
    ({ agent, shape }) => {
      const state = agent.server.state;
      const r = state.nodes();
      const meta = shape.nodeMeta;
      const nodes = filtered(meta ? r.value.filter((n) => meta(n.Meta)) : r.value, shape);
      return { ...r, value: sortByDistance(nodes, (n) => n.Node, shape.near, state) };
    },
  ),
  'Catalog.ListServices': queryMethod(
    (raw) => (record(raw), {}),
    ({ agent, shape }) => {
      const state = agent.server.state;
      const r = state.services();
      if (!shape.filter && !shape.nodeMeta) return r;
      const meta = shape.nodeMeta;
      const out: Record<string, string[]> = {};
      for (const name of Object.keys(r.value)) {
        let nodes = state.serviceNodes(name).value;
        if (meta) nodes = nodes.filter((n) => meta(n.NodeMeta));
        nodes = filtered(nodes, shape);
        if (nodes.length === 0) continue;
        out[name] = [...new Set(nodes.flatMap((n) => n.ServiceTags))].sort();
      }
      return { ...r, value: out };
    },
  ),
  'Catalog.ServiceNodes': queryMethod(
    (raw) => {
      const r = record(raw);
      return { service: str(r, 'service'), tags: strList(r, 'tags') };
    },
    ({ agent, shape }, { service, tags }) => {
      const state = agent.server.state;
      const r = state.serviceNodes(service, tags);
      const meta = shape.nodeMeta;
      const nodes = filtered(meta ? r.value.filter((n) => meta(n.NodeMeta)) : r.value, shape);
      return { ...r, value: sortByDistance(nodes, (n) => n.Node, shape.near, state) };
    },
  ),
  'Catalog.NodeServices': queryMethod(
    (raw) => ({ node: str(record(raw), 'node') }),
    ({ agent, shape }, { node }) => {
      const r = agent.server.state.nodeServices(node);
      const value = r.value;
      const f = shape.filter;
      if (!value || !f) return r;
      const services: NodeServices['Services'] = {};
      for (const [id, s] of Object.entries(value.Services)) if (f(s)) services[id] = s;
      return { ...r, value: { Node: value.Node, Services: services } };
    },
  ),
};
