import type { CheckRegistration, HealthStatus, NodeRegistration, ServiceRegistration } from '@concord/state';
import { isHealthStatus } from '@concord/state';
import type { ServerContext } from '../../agent-context.js';
import {
  field,
  isBody,
  optBool,
  optInt,
  optString,
  optStringList,
  optStringMap,
  rejectUnknown,
} from '../decode.js';
import { applyFilter, filterOf, json, nodeMetaFilter, nodeWriteBody, read } from '../endpoint-kit.js';
import { badRequest } from '../http-error.js';
import { type RequestContext, requiredPathRest } from '../request.js';
import { nearNode, sortByDistance } from '../near.js';
import type { Route } from '../router.js';

const REG_FIELDS = ['Datacenter', 'ID', 'Node', 'Address', 'TaggedAddresses', 'NodeMeta', 'Service', 'Check', 'Checks', 'SkipNodeUpdate', 'Token', 'Namespace', 'Partition'];
const SVC_FIELDS = ['ID', 'Service', 'Tags', 'Address', 'TaggedAddresses', 'Meta', 'Port', 'Weights', 'EnableTagOverride', 'Kind', 'Proxy', 'Connect', 'Namespace', 'Partition', 'Locality', 'SocketPath', 'CreateIndex', 'ModifyIndex'];
const CHECK_FIELDS = ['Node', 'CheckID', 'ID', 'Name', 'Status', 'Notes', 'Output', 'ServiceID', 'ServiceName', 'ServiceTags', 'Type', 'Interval', 'Timeout', 'Definition', 'ExposedPort', 'Namespace', 'Partition', 'CreateIndex', 'ModifyIndex'];
const DEREG_FIELDS = ['Datacenter', 'Node', 'ServiceID', 'CheckID', 'Token', 'Namespace', 'Partition'];

function decodeService(raw: unknown): ServiceRegistration {
  if (!isBody(raw)) throw badRequest('Request decode failed: Service must be an object');
  rejectUnknown(raw, SVC_FIELDS, 'Service');
  const name = optString(raw, 'Service');
  if (!name) throw badRequest('Must provide service name');
  const weights = field(raw, 'Weights');
  const svc: ServiceRegistration = {
    Service: name,
    Tags: optStringList(raw, 'Tags') ?? [],
    Address: optString(raw, 'Address') ?? '',
    Meta: optStringMap(raw, 'Meta') ?? {},
    Port: optInt(raw, 'Port', 0, 65535) ?? 0,
    EnableTagOverride: optBool(raw, 'EnableTagOverride') ?? false,
  };
  const id = optString(raw, 'ID');
  if (id) svc.ID = id;
  const kind = optString(raw, 'Kind');
  if (kind) svc.Kind = kind;
  if (isBody(weights)) svc.Weights = { Passing: optInt(weights, 'Passing') ?? 1, Warning: optInt(weights, 'Warning') ?? 1 };
  return svc;
}

function decodeCheck(raw: unknown): CheckRegistration {
  if (!isBody(raw)) throw badRequest('Request decode failed: Check must be an object');
  rejectUnknown(raw, CHECK_FIELDS, 'Check');
  const status = optString(raw, 'Status');
  if (status && !isHealthStatus(status)) throw badRequest(`Invalid check status: '${status}'`);
  const check: CheckRegistration = {
    CheckID: optString(raw, 'CheckID') || optString(raw, 'ID') || '',
    Name: optString(raw, 'Name') ?? '',
    Notes: optString(raw, 'Notes') ?? '',
    Output: optString(raw, 'Output') ?? '',
    ServiceID: optString(raw, 'ServiceID') ?? '',
    Type: optString(raw, 'Type') ?? '',
    Interval: optString(raw, 'Interval') ?? '',
    Timeout: optString(raw, 'Timeout') ?? '',
  };
  const node = optString(raw, 'Node');
  if (node) check.Node = node;
  if (status) check.Status = status as HealthStatus;
  const def = field(raw, 'Definition');
  if (isBody(def)) check.Definition = def;
  return check;
}

async function register(ctx: RequestContext, agent: ServerContext): Promise<void> {
  const body = await nodeWriteBody(ctx, agent, REG_FIELDS, 'registration');
  if (!body) return;
  const { raw, node } = body;
  const address = optString(raw, 'Address');
  const skip = optBool(raw, 'SkipNodeUpdate') ?? false;
  if (!address && !skip) throw badRequest('Must provide address');
  const reg: NodeRegistration = { Node: node, Address: address ?? '', SkipNodeUpdate: skip };
  const id = optString(raw, 'ID');
  if (id) reg.ID = id;
  const tagged = optStringMap(raw, 'TaggedAddresses');
  if (tagged) reg.TaggedAddresses = tagged;
  const meta = optStringMap(raw, 'NodeMeta');
  if (meta) reg.NodeMeta = meta;
  const svc = field(raw, 'Service');
  if (svc !== undefined && svc !== null) reg.Service = decodeService(svc);
  const check = field(raw, 'Check');
  if (check !== undefined && check !== null) reg.Check = decodeCheck(check);
  const checks = field(raw, 'Checks');
  if (checks !== undefined && checks !== null) {
    if (!Array.isArray(checks)) throw badRequest('Request decode failed: Checks must be a list');
    reg.Checks = checks.map(decodeCheck);
  }
  await agent.write({ type: 'register', reg });
  json(ctx, true);
}

async function deregister(ctx: RequestContext, agent: ServerContext): Promise<void> {
  const body = await nodeWriteBody(ctx, agent, DEREG_FIELDS, 'deregistration');
  if (!body) return;
  const { raw, node } = body;
  const serviceId = optString(raw, 'ServiceID');
  const checkId = optString(raw, 'CheckID');
  await agent.write({
    type: 'deregister',
    dereg: { Node: node, ...(serviceId ? { ServiceID: serviceId } : {}), ...(checkId ? { CheckID: checkId } : {}) },
  });
  json(ctx, true);
}

export function catalogRoutes(agent: ServerContext): Route[] {
  const state = agent.server.state;
  return [
    { path: '/v1/catalog/register', methods: ['PUT'], handler: (ctx) => register(ctx, agent) },
    { path: '/v1/catalog/deregister', methods: ['PUT'], handler: (ctx) => deregister(ctx, agent) },
    { path: '/v1/catalog/datacenters', methods: ['GET'], handler: (ctx) => json(ctx, agent.datacenters.known()) },
    {
      path: '/v1/catalog/nodes',
      methods: ['GET'],
      handler: async (ctx) => {
        const filter = filterOf(ctx);
        const meta = nodeMetaFilter(ctx);
        const near = nearNode(ctx, agent);
        const { value } = await read(ctx, agent, () => state.nodes());
        const nodes = applyFilter(meta ? value.filter((n) => meta(n.Meta)) : value, filter);
        json(ctx, sortByDistance(nodes, (n) => n.Node, near, state));
      },
    },
    {
      path: '/v1/catalog/services',
      methods: ['GET'],
      handler: async (ctx) => {
        const filter = filterOf(ctx);
        const meta = nodeMetaFilter(ctx);
        const { value } = await read(ctx, agent, () => state.services());
        if (!filter && !meta) return json(ctx, value);
        const out: Record<string, string[]> = {};
        for (const name of Object.keys(value)) {
          let nodes = state.serviceNodes(name).value;
          if (meta) nodes = nodes.filter((n) => meta(n.NodeMeta));
          nodes = applyFilter(nodes, filter);
          if (nodes.length === 0) continue;
          out[name] = [...new Set(nodes.flatMap((n) => n.ServiceTags))].sort();
        }
        json(ctx, out);
      },
    },
    {
      path: '/v1/catalog/service/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const name = requiredPathRest(ctx, 'service', 'Missing service name');
        const tags = ctx.query.getAll('tag');
        const filter = filterOf(ctx);
        const meta = nodeMetaFilter(ctx);
        const near = nearNode(ctx, agent);
        const { value } = await read(ctx, agent, () => state.serviceNodes(name, tags));
        const nodes = applyFilter(meta ? value.filter((n) => meta(n.NodeMeta)) : value, filter);
        json(ctx, sortByDistance(nodes, (n) => n.Node, near, state));
      },
    },
    {
      path: '/v1/catalog/node/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const name = requiredPathRest(ctx, 'node', 'Missing node name');
        const filter = filterOf(ctx);
        const { value } = await read(ctx, agent, () => state.nodeServices(name));
        if (value && filter) {
          const services: typeof value.Services = {};
          for (const [id, s] of Object.entries(value.Services)) if (filter(s)) services[id] = s;
          return json(ctx, { Node: value.Node, Services: services });
        }
        json(ctx, value);
      },
    },
    {
      path: '/v1/catalog/node-services/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const name = requiredPathRest(ctx, 'node', 'Missing node name');
        const filter = filterOf(ctx);
        const { value } = await read(ctx, agent, () => state.nodeServices(name));
        json(ctx, value ? { Node: value.Node, Services: applyFilter(Object.values(value.Services), filter) } : null);
      },
    },
  ];
}
