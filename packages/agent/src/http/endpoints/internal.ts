import type { QueryResult } from '@concord/state';
import type { ServerContext } from '../../agent-context.js';
import { type DnsCatalog, statePreparedQuery } from '../../dns/catalog.js';
import type { NodeCatalogView } from '../../local/anti-entropy.js';
import { filterOf, json, read } from '../endpoint-kit.js';
import { pathRest, requiredPathRest } from '../request.js';
import type { Route } from '../router.js';
import { sendEmpty } from '../respond.js';
import { nodeDetail, nodeSummaries, serviceSummaries } from './ui-summaries.js';

/**
 * Reads that client agents make through a server for their own work: the catalog view of their
 * node (anti-entropy, alias checks) and the DNS view (a client's DNS interface); and the summaries
 * the web UI reads (`/v1/internal/ui/*`, in Consul's shapes, blocking like any catalog read).
 */
export function internalRoutes(agent: ServerContext, dns: DnsCatalog): Route[] {
  const state = agent.server.state;
  return [
    {
      path: '/v1/internal/node-state/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const node = pathRest(ctx, 'node');
        const { value } = await read(ctx, agent, (): QueryResult<NodeCatalogView> => {
          const services = state.nodeServices(node);
          const checks = state.nodeChecks(node);
          return {
            value: {
              node: state.node(node),
              services: state.servicesOnNode(node),
              checks: checks.value,
              nodeCount: state.nodes().value.length,
            },
            index: Math.max(services.index, checks.index),
            topics: [...services.topics, ...checks.topics],
          };
        });
        json(ctx, value);
      },
    },
    {
      path: '/v1/internal/dns/service/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const name = pathRest(ctx, 'service');
        json(ctx, await dns.serviceInstances(name, ctx.query.get('tag') || undefined));
      },
    },
    {
      path: '/v1/internal/dns/node/*',
      methods: ['GET'],
      handler: async (ctx) => json(ctx, (await dns.node(pathRest(ctx, 'node'))) ?? null),
    },
    { path: '/v1/internal/dns/nodes', methods: ['GET'], handler: async (ctx) => json(ctx, await dns.nodes()) },
    {
      path: '/v1/internal/ui/services',
      methods: ['GET'],
      handler: async (ctx) => {
        const filter = filterOf(ctx);
        json(ctx, (await read(ctx, agent, () => serviceSummaries(state, filter))).value);
      },
    },
    {
      path: '/v1/internal/ui/nodes',
      methods: ['GET'],
      handler: async (ctx) => {
        const filter = filterOf(ctx);
        json(ctx, (await read(ctx, agent, () => nodeSummaries(state, filter))).value);
      },
    },
    {
      path: '/v1/internal/ui/node/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const node = requiredPathRest(ctx, 'node', 'Missing node name');
        const { value } = await read(ctx, agent, () => nodeDetail(state, node));
        if (value === null) sendEmpty(ctx.res, 404);
        else json(ctx, value);
      },
    },
    {
      // A client agent's `<query>.query.consul`: run here, from the client agent's node.
      path: '/v1/internal/dns/query/*',
      methods: ['GET'],
      handler: (ctx) => {
        const name = pathRest(ctx, 'query');
        const agentNode = ctx.query.get('agent') || agent.config.nodeName;
        json(ctx, statePreparedQuery(state, name, agentNode, ctx.query.get('ip') ?? undefined) ?? null);
      },
    },
    {
      path: '/v1/internal/dns/service-address/*',
      methods: ['GET'],
      handler: async (ctx) => json(ctx, (await dns.serviceByAddress(pathRest(ctx, 'address'))) ?? null),
    },
  ];
}
