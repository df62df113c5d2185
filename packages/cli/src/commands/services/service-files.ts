/**
 * Service definition files as `concord services register|deregister` read them:
 * JSON with `{"service": {...}}` or `{"services": [...]}`, keys in snake_case,
 * camelCase or PascalCase, turned into the agent API's registration shape.
 */
import { readFile } from 'node:fs/promises';
import type { AgentServiceRegistration } from '@concord/api';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A field's API name, and how to convert its value. */
interface Field {
  readonly name: string;
  readonly kind?: 'map' | 'check' | 'checks' | 'weights' | 'tagged';
}

const SERVICE_FIELDS: Readonly<Record<string, Field>> = {
  id: { name: 'ID' },
  name: { name: 'Name' },
  tags: { name: 'Tags' },
  address: { name: 'Address' },
  port: { name: 'Port' },
  meta: { name: 'Meta', kind: 'map' },
  kind: { name: 'Kind' },
  enabletagoverride: { name: 'EnableTagOverride' },
  taggedaddresses: { name: 'TaggedAddresses', kind: 'tagged' },
  weights: { name: 'Weights', kind: 'weights' },
  check: { name: 'Check', kind: 'check' },
  checks: { name: 'Checks', kind: 'checks' },
  socketpath: { name: 'SocketPath' },
  token: { name: 'Token' },
};

const CHECK_FIELDS: Readonly<Record<string, Field>> = {
  id: { name: 'CheckID' },
  checkid: { name: 'CheckID' },
  name: { name: 'Name' },
  notes: { name: 'Notes' },
  status: { name: 'Status' },
  serviceid: { name: 'ServiceID' },
  args: { name: 'Args' },
  scriptargs: { name: 'Args' },
  http: { name: 'HTTP' },
  method: { name: 'Method' },
  header: { name: 'Header', kind: 'map' },
  body: { name: 'Body' },
  tcp: { name: 'TCP' },
  udp: { name: 'UDP' },
  grpc: { name: 'GRPC' },
  grpcusetls: { name: 'GRPCUseTLS' },
  h2ping: { name: 'H2PING' },
  h2pingusetls: { name: 'H2PingUseTLS' },
  ttl: { name: 'TTL' },
  interval: { name: 'Interval' },
  timeout: { name: 'Timeout' },
  tlsservername: { name: 'TLSServerName' },
  tlsskipverify: { name: 'TLSSkipVerify' },
  dockercontainerid: { name: 'DockerContainerID' },
  shell: { name: 'Shell' },
  aliasnode: { name: 'AliasNode' },
  aliasservice: { name: 'AliasService' },
  successbeforepassing: { name: 'SuccessBeforePassing' },
  failuresbeforewarning: { name: 'FailuresBeforeWarning' },
  failuresbeforecritical: { name: 'FailuresBeforeCritical' },
  deregistercriticalserviceafter: { name: 'DeregisterCriticalServiceAfter' },
  outputmaxsize: { name: 'OutputMaxSize' },
};

const WEIGHT_FIELDS: Readonly<Record<string, Field>> = {
  passing: { name: 'Passing' },
  warning: { name: 'Warning' },
};

const ADDRESS_FIELDS: Readonly<Record<string, Field>> = {
  address: { name: 'Address' },
  port: { name: 'Port' },
};

/** Reads every file and returns the services it defines, in order. */
export async function servicesFromFiles(files: readonly string[]): Promise<AgentServiceRegistration[]> {
  const out: AgentServiceRegistration[] = [];
  for (const file of files) {
    if (file.endsWith('.hcl')) throw new Error(`${file}: HCL files are not supported, use JSON`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new Error(`failed to read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    let data: Json;
    try {
      data = JSON.parse(text) as Json;
    } catch (err) {
      throw new Error(`failed to parse ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    out.push(...servicesFromConfig(data, file));
  }
  return out;
}

/** The services in one parsed configuration document. */
export function servicesFromConfig(data: Json, file: string): AgentServiceRegistration[] {
  if (!isObject(data)) throw new Error(`${file}: expected a JSON object`);
  const out: AgentServiceRegistration[] = [];
  let found = false;
  for (const [key, value] of Object.entries(data)) {
    const norm = normalize(key);
    if (norm === 'service') {
      found = true;
      const list = Array.isArray(value) ? value : [value];
      for (const item of list) out.push(convertService(item, `${file}: service`));
    } else if (norm === 'services') {
      found = true;
      if (!Array.isArray(value)) throw new Error(`${file}: "services" must be an array`);
      for (const [i, item] of value.entries()) out.push(convertService(item, `${file}: services[${i}]`));
    }
  }
  if (!found) throw new Error(`${file}: no "service" or "services" definition`);
  return out;
}

function convertService(value: Json, where: string): AgentServiceRegistration {
  if (!isObject(value)) throw new Error(`${where} must be an object`);
  const service = convert(value, SERVICE_FIELDS, where) as unknown as AgentServiceRegistration;
  if (typeof service.Name !== 'string' || service.Name === '') throw new Error(`${where}: missing "name"`);
  return service;
}

function convert(value: Json, fields: Readonly<Record<string, Field>>, where: string): Record<string, Json> {
  if (!isObject(value)) throw new Error(`${where} must be an object`);
  const out: Record<string, Json> = {};
  for (const [key, v] of Object.entries(value)) {
    const field = fields[normalize(key)];
    if (!field) throw new Error(`${where}: invalid key "${key}"`);
    const at = `${where}.${key}`;
    switch (field.kind) {
      case 'map':
        if (!isObject(v)) throw new Error(`${at} must be an object`);
        out[field.name] = v;
        break;
      case 'check':
        out[field.name] = convert(v, CHECK_FIELDS, at);
        break;
      case 'checks':
        if (!Array.isArray(v)) throw new Error(`${at} must be an array`);
        out[field.name] = v.map((c, i) => convert(c, CHECK_FIELDS, `${at}[${i}]`));
        break;
      case 'weights':
        out[field.name] = convert(v, WEIGHT_FIELDS, at);
        break;
      case 'tagged':
        if (!isObject(v)) throw new Error(`${at} must be an object`);
        out[field.name] = Object.fromEntries(Object.entries(v).map(([name, addr]) => [name, convert(addr, ADDRESS_FIELDS, `${at}.${name}`)]));
        break;
      default:
        out[field.name] = v;
    }
  }
  return out;
}

function normalize(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
