import type { QueryResult } from '@concord/state';
import type { ServerContext } from '../../agent-context.js';
import type { DnsCatalog } from '../../dns/catalog.js';
import type { NodeCatalogView } from '../../local/anti-entropy.js';
import { json, read } from '../endpoint-kit.js';
import { pathRest } from '../request.js';
import type { Route } from '../router.js';

/**
 * Reads that client agents make through a server for their own work: the catalog view of their
 * node (anti-entropy, alias checks) and the DNS view (a client's DNS interface).
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
  ];
}
