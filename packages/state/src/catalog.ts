import { removeNodeCoordinates } from './coordinates.js';
import type { ApplyContext } from './data.js';
import { StateError } from './errors.js';
import { invalidateSession, sessionsOnCheck } from './sessions.js';
import type { CheckEntry, CheckRegistration, HealthStatus, NodeDeregistration, NodeEntry, NodeRegistration, ServiceEntry, ServiceRegistration } from './types.js';
import { topics } from './watch-hub.js';

const STATUSES: ReadonlySet<string> = new Set(['passing', 'warning', 'critical']);

export function isHealthStatus(s: unknown): s is HealthStatus {
  return typeof s === 'string' && STATUSES.has(s);
}

const instanceKey = (node: string, serviceId: string) => `${node}\u0000${serviceId}`;

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Bumps the per-service index of every service on a node (node or node-check changes affect them all). */
function bumpNodeServices(ctx: ApplyContext, node: string): void {
  const services = ctx.data.services.get(node);
  if (!services) return;
  const names = new Set<string>();
  for (const s of services.values()) names.add(s.Service);
  for (const name of names) ctx.bumpService(name);
}

export function register(ctx: ApplyContext, reg: NodeRegistration): void {
  if (!reg.Node) throw new StateError('STATE_INVALID_REQUEST', 'Must provide node');
  if (!reg.Address && !(reg.SkipNodeUpdate && ctx.data.nodes.has(reg.Node))) {
    throw new StateError('STATE_INVALID_REQUEST', 'Must provide address');
  }
  if (reg.Service && !reg.Service.Service) {
    throw new StateError('STATE_INVALID_REQUEST', 'Must provide service name with ID');
  }
  const checks = [...(reg.Check ? [reg.Check] : []), ...(reg.Checks ?? [])];
  for (const c of checks) {
    if (c.Status !== undefined && (c.Status as string) !== '' && !isHealthStatus(c.Status)) {
      throw new StateError('STATE_INVALID_REQUEST', `Check status must be one of passing, warning, critical`);
    }
    if (c.Node && c.Node !== reg.Node) {
      throw new StateError('STATE_INVALID_REQUEST', `Check node '${c.Node}' does not match node '${reg.Node}'`);
    }
    if (!c.CheckID && !c.Name) throw new StateError('STATE_INVALID_REQUEST', 'Must provide check name or ID');
    const sid = c.ServiceID;
    if (sid && sid !== (reg.Service?.ID || reg.Service?.Service) && !ctx.data.services.get(reg.Node)?.has(sid)) {
      throw new StateError('STATE_UNKNOWN_SERVICE', `Missing service registration`);
    }
  }
  if (!(reg.SkipNodeUpdate && ctx.data.nodes.has(reg.Node))) ensureNode(ctx, reg);
  if (reg.Service) ensureService(ctx, reg.Node, reg.Service);
  for (const c of checks) ensureCheck(ctx, reg.Node, c);
}

export function ensureNode(ctx: ApplyContext, reg: NodeRegistration): void {
  const { data } = ctx;
  const existing = data.nodes.get(reg.Node);
  const next: NodeEntry = {
    ID: reg.ID ?? existing?.ID ?? '',
    Node: reg.Node,
    Address: reg.Address,
    Datacenter: data.datacenter,
    TaggedAddresses: reg.TaggedAddresses ?? existing?.TaggedAddresses ?? {},
    Meta: reg.NodeMeta ?? existing?.Meta ?? {},
    CreateIndex: existing?.CreateIndex ?? ctx.index,
    ModifyIndex: ctx.index,
  };
  if (existing && existing.ID === next.ID && existing.Address === next.Address && sameJson(existing.TaggedAddresses, next.TaggedAddresses) && sameJson(existing.Meta, next.Meta)) {
    return;
  }
  ctx.mapSet(data.nodes, reg.Node, next);
  ctx.bumpTable('nodes');
  ctx.touch(topics.node(reg.Node));
  bumpNodeServices(ctx, reg.Node);
}

export function ensureService(ctx: ApplyContext, node: string, reg: ServiceRegistration): void {
  const { data } = ctx;
  const id = reg.ID || reg.Service;
  let services = data.services.get(node);
  if (!services) {
    services = new Map();
    ctx.mapSet(data.services, node, services);
  }
  const existing = services.get(id);
  const next: ServiceEntry = {
    ID: id,
    Service: reg.Service,
    Tags: reg.Tags ?? [],
    Address: reg.Address ?? '',
    ...(reg.TaggedAddresses ? { TaggedAddresses: reg.TaggedAddresses } : {}),
    Meta: reg.Meta ?? {},
    Port: reg.Port ?? 0,
    Weights: reg.Weights ?? { Passing: 1, Warning: 1 },
    EnableTagOverride: reg.EnableTagOverride ?? false,
    ...(reg.Kind ? { Kind: reg.Kind } : {}),
    CreateIndex: existing?.CreateIndex ?? ctx.index,
    ModifyIndex: ctx.index,
  };
  if (existing && sameJson({ ...existing, ModifyIndex: 0 }, { ...next, ModifyIndex: 0 })) return;
  ctx.mapSet(services, id, next);
  if (existing && existing.Service !== next.Service) removeInstance(ctx, existing.Service, node, id);
  let instances = data.serviceInstances.get(next.Service);
  if (!instances) {
    instances = new Set();
    ctx.mapSet(data.serviceInstances, next.Service, instances);
  }
  ctx.setAdd(instances, instanceKey(node, id));
  // keep the service's checks describing the service they belong to
  const nodeChecks = data.checks.get(node);
  for (const check of [...(nodeChecks?.values() ?? [])]) {
    if (check.ServiceID === id && nodeChecks) {
      ctx.mapSet(nodeChecks, check.CheckID, { ...check, ServiceName: next.Service, ServiceTags: next.Tags });
    }
  }
  ctx.bumpTable('services');
  ctx.bumpService(next.Service);
  ctx.touch(topics.node(node));
}

export function ensureCheck(ctx: ApplyContext, node: string, reg: CheckRegistration): void {
  const { data } = ctx;
  const id = reg.CheckID || (reg.Name as string);
  let checks = data.checks.get(node);
  if (!checks) {
    checks = new Map();
    ctx.mapSet(data.checks, node, checks);
  }
  const existing = checks.get(id);
  const service = reg.ServiceID ? data.services.get(node)?.get(reg.ServiceID) : undefined;
  const status: HealthStatus = isHealthStatus(reg.Status) ? reg.Status : 'critical';
  const next: CheckEntry = {
    Node: node,
    CheckID: id,
    Name: reg.Name || id,
    Status: status,
    Notes: reg.Notes ?? '',
    Output: reg.Output ?? '',
    ServiceID: reg.ServiceID ?? '',
    ServiceName: service?.Service ?? '',
    ServiceTags: service?.Tags ?? [],
    Type: reg.Type ?? '',
    Interval: reg.Interval ?? '',
    Timeout: reg.Timeout ?? '',
    ExposedPort: 0,
    Definition: reg.Definition ?? {},
    CreateIndex: existing?.CreateIndex ?? ctx.index,
    ModifyIndex: ctx.index,
  };
  if (existing && sameJson({ ...existing, ModifyIndex: 0 }, { ...next, ModifyIndex: 0 })) return;
  ctx.mapSet(checks, id, next);
  ctx.bumpTable('checks');
  ctx.touch(topics.node(node));
  if (existing?.ServiceID && existing.ServiceID !== next.ServiceID) {
    const old = data.services.get(node)?.get(existing.ServiceID);
    if (old) ctx.bumpService(old.Service);
  }
  if (service) ctx.bumpService(service.Service);
  else bumpNodeServices(ctx, node);
  if (next.Status === 'critical') {
    for (const sid of sessionsOnCheck(data, node, id)) invalidateSession(ctx, sid);
  }
}

/** Sets the status and output of an existing check (results of checks the agents run). */
export function updateCheckStatus(ctx: ApplyContext, node: string, checkId: string, status: HealthStatus, output: string): void {
  if (!isHealthStatus(status)) {
    throw new StateError('STATE_INVALID_REQUEST', `Check status must be one of passing, warning, critical`);
  }
  const c = ctx.data.checks.get(node)?.get(checkId);
  if (!c) throw new StateError('STATE_UNKNOWN_CHECK', `Missing check '${checkId}' registration`);
  ensureCheck(ctx, node, {
    CheckID: c.CheckID,
    Name: c.Name,
    Status: status,
    Notes: c.Notes,
    Output: output,
    ServiceID: c.ServiceID,
    Type: c.Type,
    Interval: c.Interval,
    Timeout: c.Timeout,
    Definition: c.Definition,
  });
}

export function deleteCheck(ctx: ApplyContext, node: string, id: string): void {
  const { data } = ctx;
  const checks = data.checks.get(node);
  const check = checks?.get(id);
  if (!checks || !check) return;
  ctx.mapDelete(checks, id);
  if (checks.size === 0) ctx.mapDelete(data.checks, node);
  ctx.bumpTable('checks');
  ctx.touch(topics.node(node));
  if (check.ServiceID) {
    const svc = data.services.get(node)?.get(check.ServiceID);
    if (svc) ctx.bumpService(svc.Service);
  } else bumpNodeServices(ctx, node);
  for (const sid of sessionsOnCheck(data, node, id)) invalidateSession(ctx, sid);
}

/** Drops one instance from a service name's set (and the set once empty), bumping the name's index. */
function removeInstance(ctx: ApplyContext, service: string, node: string, id: string): void {
  const instances = ctx.data.serviceInstances.get(service);
  if (instances) {
    ctx.setDelete(instances, instanceKey(node, id));
    if (instances.size === 0) ctx.mapDelete(ctx.data.serviceInstances, service);
  }
  ctx.bumpService(service);
}

export function deleteService(ctx: ApplyContext, node: string, id: string): void {
  const { data } = ctx;
  const services = data.services.get(node);
  const svc = services?.get(id);
  if (!services || !svc) return;
  for (const check of [...(data.checks.get(node)?.values() ?? [])]) {
    if (check.ServiceID === id) deleteCheck(ctx, node, check.CheckID);
  }
  ctx.mapDelete(services, id);
  if (services.size === 0) ctx.mapDelete(data.services, node);
  removeInstance(ctx, svc.Service, node, id);
  ctx.bumpTable('services');
  ctx.bumpService(svc.Service);
  ctx.touch(topics.node(node));
}

export function deregister(ctx: ApplyContext, req: NodeDeregistration): void {
  const { data } = ctx;
  if (!req.Node) throw new StateError('STATE_INVALID_REQUEST', 'Must provide node');
  if (req.ServiceID) {
    deleteService(ctx, req.Node, req.ServiceID);
    return;
  }
  if (req.CheckID) {
    deleteCheck(ctx, req.Node, req.CheckID);
    return;
  }
  if (!data.nodes.has(req.Node)) return;
  for (const id of [...(data.services.get(req.Node)?.keys() ?? [])]) deleteService(ctx, req.Node, id);
  for (const id of [...(data.checks.get(req.Node)?.keys() ?? [])]) deleteCheck(ctx, req.Node, id);
  for (const s of [...data.sessions.values()]) if (s.Node === req.Node) invalidateSession(ctx, s.ID);
  removeNodeCoordinates(ctx, req.Node);
  ctx.mapDelete(data.nodes, req.Node);
  ctx.bumpTable('nodes');
  ctx.touch(topics.node(req.Node));
}
