import type { AgentContext } from '../../agent-context.js';
import type { AutopilotHealth } from '../../cluster/cluster.js';
import { json, read, write } from '../endpoint-kit.js';
import { HttpError, badRequest } from '../http-error.js';
import { decodeSegment, readBody, requiredPathRest } from '../request.js';
import { sendEmpty } from '../respond.js';
import type { Route } from '../router.js';

/** Membership and raft operations: join, force-leave, status, raft configuration, autopilot. */
export function clusterOpsRoutes(agent: AgentContext): Route[] {
  const cluster = agent.cluster;
  return [
    {
      path: '/v1/agent/join/:address',
      methods: ['PUT'],
      handler: async (ctx) => {
        const addr = decodeSegment(ctx.params.address ?? '', 'address');
        if (!addr) throw badRequest('Missing address to join');
        const wan = ctx.query.has('wan');
        if (wan && !agent.wan) throw new HttpError(500, agent.config.server ? 'WAN gossip is disabled (ports.serf_wan = -1)' : 'Must be a server to join WAN cluster');
        try {
          if (wan) await agent.wan?.join([addr]);
          else await cluster.join([addr]);
        } catch (err) {
          throw new HttpError(500, `Failed to join ${addr}: ${(err as Error).message}`);
        }
        sendEmpty(ctx.res);
      },
    },
    {
      path: '/v1/agent/force-leave/*',
      methods: ['PUT'],
      handler: (ctx) => {
        const node = requiredPathRest(ctx, 'node', 'Missing node name');
        const prune = ctx.query.has('prune');
        const member = agent.members().find((m) => m.Name === node);
        if (!member) throw new HttpError(500, `agent: No node found with name '${node}'`);
        cluster.forceLeave(node, prune);
        sendEmpty(ctx.res);
      },
    },
    { path: '/v1/status/leader', methods: ['GET'], handler: async (ctx) => json(ctx, await read(ctx, agent, 'Status.Leader', {})) },
    { path: '/v1/status/peers', methods: ['GET'], handler: async (ctx) => json(ctx, await read(ctx, agent, 'Status.Peers', {})) },
    {
      path: '/v1/operator/raft/configuration',
      methods: ['GET'],
      handler: async (ctx) => json(ctx, await read(ctx, agent, 'Operator.RaftGetConfiguration', {})),
    },
    {
      path: '/v1/operator/raft/peer',
      methods: ['DELETE'],
      handler: async (ctx) => {
        const id = ctx.query.get('id') ?? '';
        const address = ctx.query.get('address') ?? '';
        if (!id && !address) throw badRequest("Must specify either ?id with the server's ID or ?address with IP:port of peer to remove");
        if (id && address) throw badRequest('Must specify only one of ?id or ?address');
        await write(ctx, agent, 'Operator.RaftRemovePeer', id ? { id } : { address });
        sendEmpty(ctx.res);
      },
    },
    {
      path: '/v1/operator/autopilot/health',
      methods: ['GET'],
      handler: async (ctx) => {
        const health = (await read(ctx, agent, 'Operator.ServerHealth', { state: false })) as AutopilotHealth;
        json(ctx, health, health.Healthy ? 200 : 429);
      },
    },
    {
      path: '/v1/operator/autopilot/state',
      methods: ['GET'],
      handler: async (ctx) => json(ctx, await read(ctx, agent, 'Operator.ServerHealth', { state: true })),
    },
  ];
}

const KEYRING_METHODS: Record<string, 'list' | 'install' | 'use' | 'remove'> = {
  GET: 'list',
  POST: 'install',
  PUT: 'use',
  DELETE: 'remove',
};

/** `/v1/operator/keyring`: list, install, use and remove gossip encryption keys on every server. */
export function keyringRoutes(agent: AgentContext): Route[] {
  return [
    {
      path: '/v1/operator/keyring',
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      handler: async (ctx) => {
        const op = KEYRING_METHODS[ctx.req.method ?? 'GET'] ?? 'list';
        let key = '';
        if (op !== 'list') {
          const body = await readBody(ctx.req, 4096, (n) => `Request body(${n} bytes) too large`);
          let parsed: unknown;
          try {
            parsed = JSON.parse(body.toString('utf8'));
          } catch {
            throw badRequest('Request decode failed: invalid JSON');
          }
          const k = (parsed as { Key?: unknown } | null)?.Key;
          if (typeof k !== 'string' || k === '') throw badRequest('Request decode failed: missing Key');
          key = k;
        }
        const counts = await write(ctx, agent, 'Operator.KeyringOperation', { op, key });
        if (op !== 'list') return sendEmpty(ctx.res);
        json(ctx, [{ WAN: false, Datacenter: ctx.query.get('dc')?.toLowerCase() || agent.config.datacenter, Segment: '', ...counts }]);
      },
    },
  ];
}
