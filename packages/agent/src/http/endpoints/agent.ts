import type { HealthStatus } from '@concord/state';
import type { AgentContext } from '../../agent-context.js';
import { parseCheckDefinition, parseServiceDefinition } from '../../local/definitions.js';
import { UnknownServiceError, disableNodeMaintenance, disableServiceMaintenance, enableNodeMaintenance, enableServiceMaintenance } from '../../local/maintenance.js';
import { contentHash } from '../content-hash.js';
import { isBody, optString } from '../../decode/body.js';
import { applyFilter, filterOf, json } from '../endpoint-kit.js';
import { hashBlockingQuery } from '../hash-blocking.js';
import { HttpError, badRequest } from '../http-error.js';
import { type RequestContext, flag, parseJsonBody, pathRest, readBody, requiredPathRest } from '../request.js';
import { sendEmpty, sendText } from '../respond.js';
import type { Route } from '../router.js';
import { agentSelf } from './agent-self.js';
import type { Authorizer } from '../../acl/authorizer.js';
import { filterByAcl, requestAuthorizer } from '../../acl/http-gate.js';
import { permissionDeniedBy } from '../../acl/resolver.js';
import { requestToken } from '../../acl/request-token.js';

/** Refuses the request with 403 unless its token has the permission (ACLs on). */
function need(ctx: RequestContext, allowed: (a: Authorizer) => boolean): void {
  const a = requestAuthorizer(ctx.req);
  if (!a) return;
  a.clearDenial();
  if (!allowed(a)) throw permissionDeniedBy(a);
}

/** The write a check needs: its service's, or the node's for a node check. */
function checkWrite(agent: AgentContext, ctx: RequestContext, checkId: string): void {
  const serviceId = agent.local.checks.get(checkId)?.def.ServiceID;
  const name = serviceId ? agent.local.services.get(serviceId)?.Service : undefined;
  need(ctx, (a) => (name !== undefined ? a.serviceWrite(name) : a.nodeWrite(agent.config.nodeName)));
}

/** The read a check needs: its service's, or the node's. */
function checkReadable(a: Authorizer, c: { ServiceName: string; ServiceID?: string | undefined; Node: string }): boolean {
  return c.ServiceID ? a.serviceRead(c.ServiceName) : a.nodeRead(c.Node);
}

const BODY_LIMIT = 1024 * 1024;

async function body(ctx: RequestContext): Promise<unknown> {
  return parseJsonBody(await readBody(ctx.req, BODY_LIMIT, (n) => `Request body(${n} bytes) too large, max size: ${BODY_LIMIT} bytes`));
}

/** A service or check ID, or a service name: the rest of the path, which may contain `/`. */
function idParam(ctx: RequestContext, what: string): string {
  return requiredPathRest(ctx, what, `Missing ${what}`);
}

function agentService(agent: AgentContext, id: string) {
  const s = agent.local.services.get(id);
  if (!s) return undefined;
  return {
    ID: s.ID,
    Service: s.Service,
    Tags: s.Tags,
    Meta: s.Meta,
    Port: s.Port,
    Address: s.Address,
    ...(s.TaggedAddresses ? { TaggedAddresses: s.TaggedAddresses } : {}),
    Weights: s.Weights,
    EnableTagOverride: s.EnableTagOverride,
    ...(s.Kind ? { Kind: s.Kind } : {}),
    Datacenter: agent.config.datacenter,
  };
}

function agentCheck(agent: AgentContext, id: string) {
  const reg = agent.local.catalogCheck(id);
  if (!reg) return undefined;
  const svc = reg.ServiceID ? agent.local.services.get(reg.ServiceID) : undefined;
  return {
    Node: agent.config.nodeName,
    CheckID: reg.CheckID,
    Name: reg.Name,
    Status: reg.Status,
    Notes: reg.Notes,
    Output: reg.Output,
    ServiceID: reg.ServiceID,
    ServiceName: svc?.Service ?? '',
    ServiceTags: svc?.Tags ?? [],
    Type: reg.Type,
    Interval: reg.Interval,
    Timeout: reg.Timeout,
    ExposedPort: 0,
    Definition: {},
    CreateIndex: 0,
    ModifyIndex: 0,
  };
}

function ttlUpdate(agent: AgentContext, ctx: RequestContext, id: string, status: HealthStatus, output: string): void {
  checkWrite(agent, ctx, id);
  const check = agent.local.checks.get(id);
  if (!check) throw new HttpError(404, `Unknown check ID "${id}". Ensure that the check ID is passed, not the check name.`);
  if (check.def.Kind !== 'ttl') throw new HttpError(500, `CheckID "${id}" does not have associated TTL`);
  agent.local.updateCheck(id, status, output);
  sendEmpty(ctx.res);
}

/** Go's strconv.ParseBool, which Consul uses for `?enable=`. */
const GO_BOOLS: ReadonlyMap<string, boolean> = new Map([
  ...['1', 't', 'T', 'TRUE', 'true', 'True'].map((v) => [v, true] as const),
  ...['0', 'f', 'F', 'FALSE', 'false', 'False'].map((v) => [v, false] as const),
]);

function enableParam(q: URLSearchParams): boolean {
  const raw = q.get('enable');
  if (raw === null) throw badRequest('Missing value for enable');
  const enable = GO_BOOLS.get(raw);
  if (enable === undefined) throw badRequest(`Invalid value for enable: ${JSON.stringify(raw)}`);
  return enable;
}

function maintenanceReply(ctx: RequestContext, change: () => void): void {
  try {
    change();
  } catch (err) {
    if (err instanceof UnknownServiceError) throw new HttpError(404, err.message);
    throw err;
  }
  sendEmpty(ctx.res);
}

/** Worst status of the given service instances' checks (maintenance counts as critical). */
function aggregate(agent: AgentContext, serviceIds: string[]): HealthStatus {
  let worst: HealthStatus = 'passing';
  for (const c of agent.local.checks.values()) {
    if (c.def.ServiceID && !serviceIds.includes(c.def.ServiceID)) continue;
    if (c.status === 'critical') return 'critical';
    if (c.status === 'warning') worst = 'warning';
  }
  return worst;
}

function healthReply(ctx: RequestContext, status: HealthStatus, payload: unknown): void {
  const code = status === 'passing' ? 200 : status === 'warning' ? 429 : 503;
  if (ctx.query.get('format') === 'text') sendText(ctx.res, code, status);
  else json(ctx, payload, code);
}

export function agentRoutes(agent: AgentContext): Route[] {
  const local = agent.local;
  return [
    { path: '/v1/agent/self', methods: ['GET'], handler: (ctx) => json(ctx, agentSelf(agent)) },
    {
      path: '/v1/agent/members',
      methods: ['GET'],
      // `?wan`: the servers' WAN pool (empty on a client agent, as Consul's).
      handler: (ctx) => {
        const members = applyFilter(ctx.query.has('wan') ? (agent.wan?.members() ?? []) : agent.members(), filterOf(ctx));
        json(
          ctx,
          filterByAcl(ctx.req, ctx.res, members, (a, m) => a.nodeRead(m.Name)),
        );
      },
    },
    {
      path: '/v1/agent/services',
      methods: ['GET'],
      handler: (ctx) => {
        const filter = filterOf(ctx);
        const out: Record<string, unknown> = {};
        const ids = filterByAcl(ctx.req, ctx.res, [...local.services.keys()].sort(), (a, id) => a.serviceRead(local.services.get(id)?.Service ?? ''));
        for (const id of ids) {
          const s = agentService(agent, id);
          if (!filter || filter(s)) out[id] = s;
        }
        json(ctx, out);
      },
    },
    {
      path: '/v1/agent/service/register',
      methods: ['PUT'],
      handler: async (ctx) => {
        const { service, checks } = parseServiceDefinition(await body(ctx));
        need(ctx, (a) => a.serviceWrite(service.Service));
        if (checks.some((c) => c.Kind === 'script' || c.Kind === 'docker') && !agent.config.enableScriptChecks) {
          throw badRequest("Scripts are disabled on this agent; to enable, configure 'enable_script_checks' to true");
        }
        const token = requestToken(ctx.req, ctx.query);
        local.addService(service, checks, flag(ctx.query, 'replace-existing-checks'), token ? { token } : {});
        sendEmpty(ctx.res);
      },
    },
    {
      path: '/v1/agent/service/deregister/*',
      methods: ['PUT'],
      handler: (ctx) => {
        const id = idParam(ctx, 'service ID');
        const name = local.services.get(id)?.Service;
        if (name !== undefined) need(ctx, (a) => a.serviceWrite(name));
        if (!local.removeService(id)) {
          throw new HttpError(404, `Unknown service ID "${id}". Ensure that the service ID is passed, not the service name.`);
        }
        sendEmpty(ctx.res);
      },
    },
    {
      path: '/v1/agent/service/maintenance/*',
      methods: ['PUT'],
      handler: (ctx) => {
        const id = idParam(ctx, 'service ID');
        const name = local.services.get(id)?.Service;
        if (name !== undefined) need(ctx, (a) => a.serviceWrite(name));
        const enable = enableParam(ctx.query);
        const reason = ctx.query.get('reason') ?? '';
        maintenanceReply(ctx, () => (enable ? enableServiceMaintenance(local, id, reason) : disableServiceMaintenance(local, id)));
      },
    },
    {
      path: '/v1/agent/maintenance',
      methods: ['PUT'],
      handler: (ctx) => {
        need(ctx, (a) => a.nodeWrite(agent.config.nodeName));
        const enable = enableParam(ctx.query);
        const reason = ctx.query.get('reason') ?? '';
        maintenanceReply(ctx, () => (enable ? enableNodeMaintenance(local, reason) : disableNodeMaintenance(local)));
      },
    },
    {
      path: '/v1/agent/service/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const id = pathRest(ctx, 'service ID');
        const name = local.services.get(id)?.Service;
        if (name !== undefined) need(ctx, (a) => a.serviceRead(name));
        const { hash, value } = await hashBlockingQuery(
          ctx,
          {
            defaultQueryTimeMs: agent.config.defaultQueryTimeMs,
            maxQueryTimeMs: agent.config.maxQueryTimeMs,
            random: Math.random,
            watch: (cb) => local.serviceWatches.watch(id, cb),
          },
          () => {
            const s = agentService(agent, id);
            if (!s) throw new HttpError(404, `unknown service ID: ${id}`);
            // As Consul: the hash covers the whole answer except the hash itself.
            const h = contentHash(s);
            return { hash: h, value: { ...s, ContentHash: h } };
          },
        );
        ctx.res.setHeader('X-Consul-ContentHash', hash);
        json(ctx, value);
      },
    },
    {
      path: '/v1/agent/checks',
      methods: ['GET'],
      handler: (ctx) => {
        const filter = filterOf(ctx);
        const out: Record<string, unknown> = {};
        const pairs = [...local.checks.keys()].sort().map((id) => [id, agentCheck(agent, id)] as const);
        for (const [id, c] of filterByAcl(ctx.req, ctx.res, pairs, (a, [, c]) => !c || checkReadable(a, c))) {
          if (!filter || filter(c)) out[id] = c;
        }
        json(ctx, out);
      },
    },
    {
      path: '/v1/agent/check/register',
      methods: ['PUT'],
      handler: async (ctx) => {
        const def = parseCheckDefinition(await body(ctx));
        const owner = def.ServiceID ? local.services.get(def.ServiceID)?.Service : undefined;
        need(ctx, (a) => (owner !== undefined ? a.serviceWrite(owner) : a.nodeWrite(agent.config.nodeName)));
        if (def.ServiceID && !local.services.has(def.ServiceID)) {
          throw badRequest(`ServiceID "${def.ServiceID}" does not exist`);
        }
        if ((def.Kind === 'script' || def.Kind === 'docker') && !agent.config.enableScriptChecks) {
          throw badRequest("Scripts are disabled on this agent; to enable, configure 'enable_script_checks' to true");
        }
        const token = requestToken(ctx.req, ctx.query);
        local.addCheck(def, token ? { token } : {});
        sendEmpty(ctx.res);
      },
    },
    {
      path: '/v1/agent/check/deregister/*',
      methods: ['PUT'],
      handler: (ctx) => {
        const id = idParam(ctx, 'check ID');
        checkWrite(agent, ctx, id);
        if (!local.removeCheck(id)) throw new HttpError(404, `Unknown check ID "${id}". Ensure that the check ID is passed, not the check name.`);
        sendEmpty(ctx.res);
      },
    },
    { path: '/v1/agent/check/pass/*', methods: ['PUT'], handler: (ctx) => ttlUpdate(agent, ctx, idParam(ctx, 'check ID'), 'passing', ctx.query.get('note') ?? '') },
    { path: '/v1/agent/check/warn/*', methods: ['PUT'], handler: (ctx) => ttlUpdate(agent, ctx, idParam(ctx, 'check ID'), 'warning', ctx.query.get('note') ?? '') },
    { path: '/v1/agent/check/fail/*', methods: ['PUT'], handler: (ctx) => ttlUpdate(agent, ctx, idParam(ctx, 'check ID'), 'critical', ctx.query.get('note') ?? '') },
    {
      path: '/v1/agent/check/update/*',
      methods: ['PUT'],
      handler: async (ctx) => {
        const raw = await body(ctx);
        if (!isBody(raw)) throw badRequest('Request decode failed: body must be a JSON object');
        const status = optString(raw, 'Status') ?? '';
        if (status !== 'passing' && status !== 'warning' && status !== 'critical') {
          throw badRequest(`Invalid check status: '${status}'`);
        }
        ttlUpdate(agent, ctx, idParam(ctx, 'check ID'), status, optString(raw, 'Output') ?? '');
      },
    },
    {
      path: '/v1/agent/health/service/id/*',
      methods: ['GET'],
      handler: (ctx) => {
        const id = requiredPathRest(ctx, 'service ID', 'Missing serviceID');
        const s = agentService(agent, id);
        if (s) need(ctx, (a) => a.serviceRead(s.Service));
        if (!s) {
          if (ctx.query.get('format') === 'text') return sendText(ctx.res, 404, `ServiceId ${id} not found`);
          throw new HttpError(404, `ServiceId ${id} not found`);
        }
        const status = aggregate(agent, [id]);
        healthReply(ctx, status, { AggregatedStatus: status, Service: s, Checks: checksOf(agent, [id]) });
      },
    },
    {
      path: '/v1/agent/health/service/name/*',
      methods: ['GET'],
      handler: (ctx) => {
        const name = idParam(ctx, 'service Name');
        need(ctx, (a) => a.serviceRead(name));
        const ids = [...local.services.values()].filter((s) => s.Service === name).map((s) => s.ID);
        if (ids.length === 0) {
          if (ctx.query.get('format') === 'text') return sendText(ctx.res, 404, `ServiceName ${name} Not Found`);
          throw new HttpError(404, `ServiceName ${name} Not Found`);
        }
        const entries = ids.map((id) => {
          const status = aggregate(agent, [id]);
          return { AggregatedStatus: status, Service: agentService(agent, id), Checks: checksOf(agent, [id]) };
        });
        healthReply(ctx, aggregate(agent, ids), entries);
      },
    },
    {
      path: '/v1/agent/reload',
      methods: ['PUT'],
      handler: async (ctx) => {
        try {
          await agent.reload();
        } catch (err) {
          // As in Consul, a config that does not load is the agent's failure (500), not the request's.
          throw new HttpError(500, err instanceof Error ? err.message : String(err));
        }
        sendEmpty(ctx.res);
      },
    },
    {
      path: '/v1/agent/leave',
      methods: ['PUT'],
      handler: (ctx) => {
        sendEmpty(ctx.res);
        setImmediate(() => void agent.leave());
      },
    },
  ];
}

function checksOf(agent: AgentContext, serviceIds: string[]) {
  return [...agent.local.checks.keys()].map((id) => agentCheck(agent, id)).filter((c) => c && (!c.ServiceID || serviceIds.includes(c.ServiceID)));
}
