import type { HealthStatus } from '@concord/state';
import { isHealthStatus } from '@concord/state';
import { formatDuration } from '@concord/goflags';
import { type Body, field, isBody, optBool, optDuration, optInt, optString, optStringList, optStringMap, rejectUnknown } from '../decode/body.js';
import { invalidRequest } from '../errors/agent-error.js';

/** A service as the agent owns it (the shape of `/v1/agent/services` entries). */
export interface ServiceDefinition {
  ID: string;
  Service: string;
  Tags: string[];
  Meta: Record<string, string>;
  Port: number;
  Address: string;
  TaggedAddresses?: Record<string, { Address: string; Port: number }>;
  Weights: { Passing: number; Warning: number };
  EnableTagOverride: boolean;
  Kind?: string;
}

export type CheckKind = 'maintenance' | 'ttl' | 'http' | 'tcp' | 'udp' | 'grpc' | 'script' | 'docker' | 'alias' | 'h2ping';

/** A check as the agent owns it: its identity, its kind and how to run it. */
export interface CheckDefinition {
  CheckID: string;
  Name: string;
  Notes: string;
  ServiceID: string;
  Status: HealthStatus;
  Kind: CheckKind;
  ttlMs?: number;
  intervalMs?: number;
  timeoutMs?: number;
  deregisterCriticalAfterMs?: number;
  successBeforePassing: number;
  failuresBeforeWarning: number;
  failuresBeforeCritical: number;
  outputMaxSize: number;
  /** The kind-specific settings as given (HTTP, Method, Header, TCP, Args, ...). */
  spec: Record<string, unknown>;
}

const SERVICE_FIELDS = [
  'ID',
  'Name',
  'Tags',
  'Address',
  'TaggedAddresses',
  'Meta',
  'Port',
  'Kind',
  'EnableTagOverride',
  'Check',
  'Checks',
  'Weights',
  'Proxy',
  'Connect',
  'Namespace',
  'Partition',
  'SocketPath',
  'Locality',
  'Token',
];

const CHECK_FIELDS = [
  'ID',
  'CheckID',
  'Name',
  'Notes',
  'ServiceID',
  'Status',
  'TTL',
  'HTTP',
  'Method',
  'Header',
  'Body',
  'TLSSkipVerify',
  'TLSServerName',
  'DisableRedirects',
  'TCP',
  'UDP',
  'GRPC',
  'GRPCUseTLS',
  'Args',
  'ScriptArgs',
  'Script',
  'DockerContainerID',
  'Shell',
  'AliasNode',
  'AliasService',
  'H2PING',
  'H2PingUseTLS',
  'Interval',
  'Timeout',
  'DeregisterCriticalServiceAfter',
  'SuccessBeforePassing',
  'FailuresBeforeWarning',
  'FailuresBeforeCritical',
  'OutputMaxSize',
  'Type',
  'Definition',
  'Namespace',
  'Partition',
  'Token',
  'TCPUseTLS',
];

const SPEC_FIELDS = [
  'HTTP',
  'Method',
  'Header',
  'Body',
  'TLSSkipVerify',
  'TLSServerName',
  'DisableRedirects',
  'TCP',
  'UDP',
  'GRPC',
  'GRPCUseTLS',
  'Args',
  'Script',
  'DockerContainerID',
  'Shell',
  'AliasNode',
  'AliasService',
  'H2PING',
];

function invalidServiceAddress(addr: string): boolean {
  return addr === '0.0.0.0' || addr === '::' || addr === '[::]';
}

/** A service's `TaggedAddresses` (`{"wan": {"Address", "Port"}}`), or undefined when absent. */
export function decodeServiceTaggedAddresses(raw: Body): Record<string, { Address: string; Port: number }> | undefined {
  const tagged = field(raw, 'TaggedAddresses');
  if (tagged === undefined || tagged === null) return undefined;
  if (!isBody(tagged)) throw invalidRequest('Request decode failed: TaggedAddresses must be an object');
  const out: Record<string, { Address: string; Port: number }> = {};
  for (const [k, v] of Object.entries(tagged)) {
    if (!isBody(v)) throw invalidRequest(`Request decode failed: TaggedAddresses.${k} must be an object`);
    out[k] = { Address: optString(v, 'Address') ?? '', Port: optInt(v, 'Port', 0, 65535) ?? 0 };
  }
  return out;
}

/** Parses a service definition (HTTP body or config file); 400 with a reason when invalid. */
export function parseServiceDefinition(raw: unknown): { service: ServiceDefinition; checks: CheckDefinition[] } {
  if (!isBody(raw)) throw invalidRequest('Request decode failed: body must be a JSON object');
  rejectUnknown(raw, SERVICE_FIELDS, 'service definition');
  const name = optString(raw, 'Name');
  if (!name) throw invalidRequest('Missing service name');
  const id = optString(raw, 'ID') || name;
  const address = optString(raw, 'Address') ?? '';
  if (invalidServiceAddress(address)) throw invalidRequest('Invalid service address');
  const weightsRaw = field(raw, 'Weights');
  let weights = { Passing: 1, Warning: 1 };
  if (weightsRaw !== undefined && weightsRaw !== null) {
    if (!isBody(weightsRaw)) throw invalidRequest('Request decode failed: Weights must be an object');
    const passing = optInt(weightsRaw, 'Passing', 0, 65535) ?? 1;
    const warning = optInt(weightsRaw, 'Warning', 0, 65535) ?? 1;
    if (passing < 1) throw invalidRequest('Passing must be greater than 0');
    weights = { Passing: passing, Warning: warning };
  }
  const taggedAddresses = decodeServiceTaggedAddresses(raw);
  const kind = optString(raw, 'Kind');
  const service: ServiceDefinition = {
    ID: id,
    Service: name,
    Tags: optStringList(raw, 'Tags') ?? [],
    Meta: optStringMap(raw, 'Meta') ?? {},
    Port: optInt(raw, 'Port', 0, 65535) ?? 0,
    Address: address,
    ...(taggedAddresses ? { TaggedAddresses: taggedAddresses } : {}),
    Weights: weights,
    EnableTagOverride: optBool(raw, 'EnableTagOverride') ?? false,
    ...(kind ? { Kind: kind } : {}),
  };
  for (const [k, v] of Object.entries(service.Meta)) {
    if (k.length > 128) throw invalidRequest(`Key is too long (limit: 128 characters): ${k}`);
    if (v.length > 512) throw invalidRequest(`Value is too long (limit: 512 characters): ${k}`);
  }
  const rawChecks: unknown[] = [];
  const one = field(raw, 'Check');
  if (one !== undefined && one !== null) rawChecks.push(one);
  const many = field(raw, 'Checks');
  if (many !== undefined && many !== null) {
    if (!Array.isArray(many)) throw invalidRequest('Request decode failed: Checks must be a list');
    rawChecks.push(...many);
  }
  const checks = rawChecks.map((c, i) => {
    const check = parseCheckDefinition(c, { serviceId: id, serviceName: name });
    if (!optString(c as Body, 'CheckID') && !optString(c as Body, 'ID')) {
      check.CheckID = rawChecks.length === 1 ? `service:${id}` : `service:${id}:${i + 1}`;
    }
    return check;
  });
  return { service, checks };
}

/** Parses a check definition; `service` is set for checks nested in a service definition. */
export function parseCheckDefinition(raw: unknown, service?: { serviceId: string; serviceName: string }): CheckDefinition {
  if (!isBody(raw)) throw invalidRequest('Request decode failed: check must be a JSON object');
  rejectUnknown(raw, CHECK_FIELDS, 'check definition');
  const nameGiven = optString(raw, 'Name');
  if (!service && !nameGiven) throw invalidRequest('Missing check name');
  const name = nameGiven || (service ? `Service '${service.serviceName}' check` : '');
  const id = optString(raw, 'CheckID') || optString(raw, 'ID') || name;
  const statusRaw = optString(raw, 'Status');
  if (statusRaw !== undefined && statusRaw !== '' && !isHealthStatus(statusRaw)) throw invalidRequest('Bad check status');
  const ttlMs = optDuration(raw, 'TTL');
  const intervalMs = optDuration(raw, 'Interval');
  const timeoutMs = optDuration(raw, 'Timeout');
  const spec: Record<string, unknown> = {};
  for (const f of SPEC_FIELDS) {
    const v = field(raw, f);
    if (v !== undefined && v !== null && v !== '') spec[f] = v;
  }
  const args = optStringList(raw, 'Args') ?? optStringList(raw, 'ScriptArgs');
  if (args) spec.Args = args;
  let kind: CheckKind | undefined;
  if (ttlMs !== undefined && ttlMs > 0) kind = 'ttl';
  else if (spec.HTTP) kind = 'http';
  else if (spec.TCP) kind = 'tcp';
  else if (spec.UDP) kind = 'udp';
  else if (spec.GRPC) kind = 'grpc';
  else if (spec.H2PING) kind = 'h2ping';
  else if (spec.DockerContainerID) kind = 'docker';
  else if (spec.Args || spec.Script) kind = 'script';
  else if (spec.AliasService || spec.AliasNode) kind = 'alias';
  if (!kind) {
    throw invalidRequest('Invalid check: Must provide TTL or Script/DockerContainerID/HTTP/TCP/UDP/GRPC/H2PING/Alias and Interval');
  }
  if (kind !== 'ttl' && kind !== 'alias' && !(intervalMs && intervalMs > 0)) {
    throw invalidRequest(`Invalid check: Interval must be > 0 for ${kind.toUpperCase()} checks`);
  }
  const serviceId = optString(raw, 'ServiceID') || service?.serviceId || '';
  const deregAfter = optDuration(raw, 'DeregisterCriticalServiceAfter');
  const check: CheckDefinition = {
    CheckID: id,
    Name: name,
    Notes: optString(raw, 'Notes') ?? '',
    ServiceID: serviceId,
    Status: (statusRaw && isHealthStatus(statusRaw) ? statusRaw : 'critical') as HealthStatus,
    Kind: kind,
    successBeforePassing: optInt(raw, 'SuccessBeforePassing') ?? 0,
    failuresBeforeWarning: optInt(raw, 'FailuresBeforeWarning') ?? 0,
    failuresBeforeCritical: optInt(raw, 'FailuresBeforeCritical') ?? 0,
    outputMaxSize: optInt(raw, 'OutputMaxSize', 1) ?? 4096,
    spec,
  };
  if (ttlMs !== undefined && ttlMs > 0) check.ttlMs = ttlMs;
  if (intervalMs !== undefined) check.intervalMs = intervalMs;
  if (timeoutMs !== undefined) check.timeoutMs = timeoutMs;
  // the 1 minute minimum is applied by the critical-service reaper
  if (deregAfter !== undefined && deregAfter > 0) check.deregisterCriticalAfterMs = deregAfter;
  return check;
}

/** Checks that never run anything, so show no timeout. */
const UNTIMED_KINDS: ReadonlySet<CheckKind> = new Set(['ttl', 'alias', 'maintenance']);

/** The interval/timeout strings the catalog shows for a check. */
export function checkTimings(c: CheckDefinition): { Interval: string; Timeout: string } {
  return {
    Interval: c.intervalMs ? formatDuration(c.intervalMs) : '',
    Timeout: c.timeoutMs ? formatDuration(c.timeoutMs) : UNTIMED_KINDS.has(c.Kind) ? '' : '10s',
  };
}
