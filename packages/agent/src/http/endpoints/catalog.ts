import type { CheckRegistration, HealthStatus, NodeRegistration, ServiceRegistration } from '@concord/state';
import { isHealthStatus } from '@concord/state';
import type { AgentContext } from '../../agent-context.js';
import { field, isBody, optBool, optInt, optString, optStringList, optStringMap, rejectUnknown } from '../../decode/body.js';
import { applyFilter, filterOf, json, read } from '../endpoint-kit.js';
import { nodeWriteBody } from '../node-write-body.js';
import { badRequest } from '../http-error.js';
import { type RequestContext, requiredPathRest } from '../request.js';
import type { Route } from '../router.js';
import { decodeServiceTaggedAddresses } from '../../local/definitions.js';

const REG_FIELDS = ['Datacenter', 'ID', 'Node', 'Address', 'TaggedAddresses', 'NodeMeta', 'Service', 'Check', 'Checks', 'SkipNodeUpdate', 'Token', 'Namespace', 'Partition'];
const SVC_FIELDS = [
  'ID',
  'Service',
  'Tags',
  'Address',
  'TaggedAddresses',
  'Meta',
  'Port',
  'Weights',
  'EnableTagOverride',
  'Kind',
  'Proxy',
  'Connect',
  'Namespace',
  'Partition',
  'Locality',
  'SocketPath',
  'CreateIndex',
  'ModifyIndex',
];
const CHECK_FIELDS = [
  'Node',
  'CheckID',
  'ID',
  'Name',
  'Status',
  'Notes',
  'Output',
  'ServiceID',
  'ServiceName',
  'ServiceTags',
  'Type',
  'Interval',
  'Timeout',
  'Definition',
  'ExposedPort',
  'Namespace',
  'Partition',
  'CreateIndex',
  'ModifyIndex',
];
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
  const tagged = decodeServiceTaggedAddresses(raw);
  if (tagged) svc.TaggedAddresses = tagged;
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

async function register(ctx: RequestContext, agent: AgentContext): Promise<void> {
  const { raw, node, send } = await nodeWriteBody(ctx, agent, REG_FIELDS, 'registration');
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
  await send('Catalog.Register', { type: 'register', reg });
  json(ctx, true);
}

async function deregister(ctx: RequestContext, agent: AgentContext): Promise<void> {
  const { raw, node, send } = await nodeWriteBody(ctx, agent, DEREG_FIELDS, 'deregistration');
  const serviceId = optString(raw, 'ServiceID');
  const checkId = optString(raw, 'CheckID');
  await send('Catalog.Deregister', {
    type: 'deregister',
    dereg: { Node: node, ...(serviceId ? { ServiceID: serviceId } : {}), ...(checkId ? { CheckID: checkId } : {}) },
  });
  json(ctx, true);
}

export function catalogRoutes(agent: AgentContext): Route[] {
  return [
    { path: '/v1/catalog/register', methods: ['PUT'], handler: (ctx) => register(ctx, agent) },
    { path: '/v1/catalog/deregister', methods: ['PUT'], handler: (ctx) => deregister(ctx, agent) },
    { path: '/v1/catalog/datacenters', methods: ['GET'], handler: async (ctx) => json(ctx, await read(ctx, agent, 'Catalog.ListDatacenters', {})) },
    { path: '/v1/catalog/nodes', methods: ['GET'], handler: async (ctx) => json(ctx, await read(ctx, agent, 'Catalog.ListNodes', {})) },
    { path: '/v1/catalog/services', methods: ['GET'], handler: async (ctx) => json(ctx, await read(ctx, agent, 'Catalog.ListServices', {})) },
    {
      path: '/v1/catalog/service/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const service = requiredPathRest(ctx, 'service', 'Missing service name');
        json(ctx, await read(ctx, agent, 'Catalog.ServiceNodes', { service, tags: ctx.query.getAll('tag') }));
      },
    },
    {
      path: '/v1/catalog/node/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const node = requiredPathRest(ctx, 'node', 'Missing node name');
        json(ctx, await read(ctx, agent, 'Catalog.NodeServices', { node }));
      },
    },
    {
      path: '/v1/catalog/node-services/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const node = requiredPathRest(ctx, 'node', 'Missing node name');
        // The same read as /v1/catalog/node, with the services as a list and `?filter` over it.
        const filter = filterOf(ctx);
        const value = await read(ctx, agent, 'Catalog.NodeServices', { node }, { filter: '' });
        json(ctx, value ? { Node: value.Node, Services: applyFilter(Object.values(value.Services), filter) } : null);
      },
    },
  ];
}
