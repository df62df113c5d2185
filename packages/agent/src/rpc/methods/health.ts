/** Consul's Health endpoint: checks by node, service and state, and service instances with health. */
import { type CheckEntry, type HealthStatus, type QueryResult, type StateStore, isHealthStatus } from '@concord/state';
import { sortByDistance } from '../../query/near-sort.js';
import { ArgsError, bool, record, str, strList } from '../args.js';
import { type Shaping, queryMethod } from '../method.js';
import { filtered } from './catalog.js';

/** Checks on nodes that carry the `?node-meta` pairs, filtered and sorted as asked. */
function shapeChecks(state: StateStore, r: QueryResult<CheckEntry[]>, shape: Shaping, sort: boolean): QueryResult<CheckEntry[]> {
  const meta = shape.nodeMeta;
  const onNodes = meta ? r.value.filter((c) => meta(state.node(c.Node)?.Meta ?? {})) : r.value;
  const checks = filtered(onNodes, shape);
  return { ...r, value: sort ? sortByDistance(checks, (c) => c.Node, shape.near, state) : checks };
}

export const healthMethods = {
  'Health.NodeChecks': queryMethod(
    (raw) => ({ node: str(record(raw), 'node') }),
    ({ agent, shape }, { node }) => {
      const r = agent.server.state.nodeChecks(node);
      return { ...r, value: filtered(r.value, shape) };
    },
  ),
  'Health.ServiceChecks': queryMethod(
    (raw) => ({ service: str(record(raw), 'service') }),
    ({ agent, shape }, { service }) => shapeChecks(agent.server.state, agent.server.state.serviceChecks(service), shape, true),
  ),
  'Health.ChecksInState': queryMethod(
    (raw) => {
      const state = str(record(raw), 'state');
      if (state !== 'any' && !isHealthStatus(state)) throw new ArgsError(`Invalid state: ${state}`);
      return { state: state as HealthStatus | 'any' };
    },
    ({ agent, shape }, { state }) => shapeChecks(agent.server.state, agent.server.state.checksInState(state), shape, true),
  ),
  'Health.ServiceNodes': queryMethod(
    (raw) => {
      const r = record(raw);
      return { service: str(r, 'service'), tags: strList(r, 'tags'), passing: bool(r, 'passing') };
    },
    ({ agent, shape }, { service, tags, passing }) => {
      const state = agent.server.state;
      const r = state.healthService(service, { tags, passing });
      const meta = shape.nodeMeta;
      const entries = filtered(meta ? r.value.filter((e) => meta(e.Node.Meta)) : r.value, shape);
      return { ...r, value: sortByDistance(entries, (e) => e.Node.Node, shape.near, state) };
    },
  ),
};
