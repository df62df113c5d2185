/**
 * Decoding and validating a prepared query definition (`POST /v1/query`, `PUT /v1/query/<id>`):
 * shapes and bounds here, with Consul's `parseQuery` rules and messages; integrity (unique
 * names, the session, templates) is the state machine's.
 */
import type { PreparedQuery, QueryFailoverTarget } from '@concord/state';
import { parseDuration } from '@concord/goflags';
import { type Body, field, isBody, optBool, optInt, optString, optStringList, optStringMap, rejectUnknown } from './body.js';
import { invalidRequest } from '../errors/agent-error.js';

const QUERY_FIELDS = ['ID', 'Name', 'Session', 'Token', 'Template', 'Service', 'DNS', 'CreateIndex', 'ModifyIndex'];
const TEMPLATE_FIELDS = ['Type', 'Regexp', 'RemoveEmptyTags'];
const SERVICE_FIELDS = [
  'Service',
  'SamenessGroup',
  'Failover',
  'OnlyPassing',
  'IgnoreCheckIDs',
  'Near',
  'Tags',
  'NodeMeta',
  'ServiceMeta',
  'Connect',
  'Peer',
  'Namespace',
  'Partition',
];
const FAILOVER_FIELDS = ['NearestN', 'Datacenters', 'Targets'];
const TARGET_FIELDS = ['Peer', 'Datacenter', 'Namespace', 'Partition'];
const DNS_FIELDS = ['TTL'];

/** Bounds checked before anything is stored. */
export const QUERY_LIMITS = {
  string: 512,
  list: 64,
  metaPairs: 64,
  regexp: 1024,
} as const;

/** The redacted token Consul shows to readers without the right to see it. */
const REDACTED_TOKEN = '<hidden>';

function sub(body: Body, name: string, allowed: readonly string[], what: string): Body {
  const v = field(body, name);
  if (v === undefined || v === null) return {};
  if (!isBody(v)) throw invalidRequest(`Request decode failed: ${what} must be an object`);
  rejectUnknown(v, allowed, what);
  return v;
}

function str(body: Body, name: string, max: number = QUERY_LIMITS.string): string {
  const v = optString(body, name) ?? '';
  if (v.length > max) throw invalidRequest(`Request decode failed: ${name} is longer than ${max} characters`);
  return v;
}

function list(body: Body, name: string): string[] | null {
  const v = optStringList(body, name);
  if (v === undefined) return null;
  if (v.length > QUERY_LIMITS.list) throw invalidRequest(`Request decode failed: ${name} has more than ${QUERY_LIMITS.list} entries`);
  if (v.some((x) => x.length > QUERY_LIMITS.string)) throw invalidRequest(`Request decode failed: an entry of ${name} is too long`);
  return v;
}

function meta(body: Body, name: string): Record<string, string> | null {
  const v = optStringMap(body, name);
  if (v === undefined) return null;
  const entries = Object.entries(v);
  if (entries.length > QUERY_LIMITS.metaPairs) throw invalidRequest(`Request decode failed: ${name} has more than ${QUERY_LIMITS.metaPairs} pairs`);
  if (entries.some(([k, x]) => k.length > QUERY_LIMITS.string || x.length > QUERY_LIMITS.string)) {
    throw invalidRequest(`Request decode failed: a pair of ${name} is too long`);
  }
  return v;
}

function targets(body: Body): QueryFailoverTarget[] | null {
  const v = field(body, 'Targets');
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || v.length > QUERY_LIMITS.list) throw invalidRequest(`Request decode failed: Targets must be a list of at most ${QUERY_LIMITS.list} objects`);
  return v.map((t) => {
    if (!isBody(t)) throw invalidRequest('Request decode failed: Targets must be a list of objects');
    rejectUnknown(t, TARGET_FIELDS, 'Failover target');
    return { Peer: str(t, 'Peer'), Datacenter: str(t, 'Datacenter') };
  });
}

const invalid = (reason: string) => invalidRequest(`Invalid prepared query: ${reason}`);

/**
 * The query a request body defines, with `id` as its ID. Every field of Consul's
 * `PreparedQuery` is read; anything else, a wrong type or an oversized value is a 400.
 */
export function decodePreparedQuery(raw: unknown, id: string): PreparedQuery {
  const body = raw ?? {};
  if (!isBody(body)) throw invalidRequest('Request decode failed: body must be a JSON object');
  rejectUnknown(body, QUERY_FIELDS, 'prepared query');
  const template = sub(body, 'Template', TEMPLATE_FIELDS, 'Template');
  const service = sub(body, 'Service', SERVICE_FIELDS, 'Service');
  const failover = sub(service, 'Failover', FAILOVER_FIELDS, 'Failover');
  const dns = sub(body, 'DNS', DNS_FIELDS, 'DNS');
  const query: PreparedQuery = {
    ID: id,
    Name: str(body, 'Name'),
    Session: str(body, 'Session'),
    Token: str(body, 'Token'),
    Template: {
      Type: str(template, 'Type'),
      Regexp: str(template, 'Regexp', QUERY_LIMITS.regexp),
      RemoveEmptyTags: optBool(template, 'RemoveEmptyTags') ?? false,
    },
    Service: {
      Service: str(service, 'Service'),
      SamenessGroup: str(service, 'SamenessGroup'),
      Failover: {
        NearestN: optInt(failover, 'NearestN', Number.MIN_SAFE_INTEGER, 1024) ?? 0,
        Datacenters: list(failover, 'Datacenters'),
        Targets: targets(failover),
      },
      OnlyPassing: optBool(service, 'OnlyPassing') ?? false,
      IgnoreCheckIDs: list(service, 'IgnoreCheckIDs'),
      Near: str(service, 'Near'),
      Tags: list(service, 'Tags'),
      NodeMeta: meta(service, 'NodeMeta'),
      ServiceMeta: meta(service, 'ServiceMeta'),
      Connect: optBool(service, 'Connect') ?? false,
      Peer: str(service, 'Peer'),
    },
    DNS: { TTL: str(dns, 'TTL') },
    CreateIndex: 0,
    ModifyIndex: 0,
  };
  validate(query);
  return query;
}

/** Consul's `parseQuery`, plus refusals of what Concord does not run (mesh, peering). */
function validate(q: PreparedQuery): void {
  if (q.Name === '' && q.Template.Type === '' && q.Session === '') throw invalid('Must be bound to a session');
  if (q.Token === REDACTED_TOKEN) {
    throw invalid(`Bad Token '${q.Token}', it looks like a query definition with a redacted token was submitted`);
  }
  const s = q.Service;
  if (s.Service === '') throw invalid('Must provide a Service name to query');
  if (s.Failover.NearestN < 0) throw invalid(`Bad NearestN '${s.Failover.NearestN}', must be >= 0`);
  if (s.Failover.Targets && (s.Failover.NearestN > 0 || (s.Failover.Datacenters?.length ?? 0) > 0)) {
    throw invalid('Targets cannot be populated with NearestN or Datacenters');
  }
  for (const key of Object.keys(s.NodeMeta ?? {})) {
    if (key === '') throw invalid('Key cannot be blank');
    if (!/^[a-zA-Z0-9_-]+$/.test(key)) throw invalid(`Key contains invalid characters: '${key}'`);
  }
  if (s.Connect) throw invalid('Connect is not supported: Concord has no service mesh');
  if (s.Peer !== '' || s.SamenessGroup !== '' || (s.Failover.Targets ?? []).some((t) => t.Peer !== '')) {
    throw invalid('cluster peering and sameness groups are not supported');
  }
  if (q.DNS.TTL !== '') {
    const ms = parseDuration(q.DNS.TTL);
    if (ms === undefined) throw invalid(`Bad DNS TTL '${q.DNS.TTL}': time: invalid duration "${q.DNS.TTL}"`);
    if (ms < 0) throw invalid(`DNS TTL '${Math.round(ms * 1e6)}', must be >=0`);
  }
}
