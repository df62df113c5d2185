/**
 * The prepared-queries table (Consul's `state/prepared_query.go`): integrity rules on write,
 * deletion with the owning session, and resolution of an ID or name to the query that answers
 * it (exact ID, then exact name, then the template with the longest matching name prefix).
 */
import type { ApplyContext, StateData } from './data.js';
import { StateError } from './errors.js';
import { CompiledTemplate, TemplateError } from './query-template.js';
import type { HealthServiceEntry } from './store.js';
import type { PreparedQuery, QuerySource } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (s: string): boolean => s.length === 36 && UUID.test(s);
export const isTemplate = (q: PreparedQuery): boolean => q.Template.Type !== '';

/** Compiled templates, kept beside the table (derived data, rebuilt on restore). */
const compiled = new WeakMap<PreparedQuery, CompiledTemplate>();

function compile(q: PreparedQuery): CompiledTemplate {
  let ct = compiled.get(q);
  if (!ct) {
    ct = new CompiledTemplate(q);
    compiled.set(q, ct);
  }
  return ct;
}

/** A query with every field at Consul's zero value (what an empty definition decodes to). */
export function emptyPreparedQuery(id: string): PreparedQuery {
  return {
    ID: id,
    Name: '',
    Session: '',
    Token: '',
    Template: { Type: '', Regexp: '', RemoveEmptyTags: false },
    Service: {
      Service: '',
      SamenessGroup: '',
      Failover: { NearestN: 0, Datacenters: null, Targets: null },
      OnlyPassing: false,
      IgnoreCheckIDs: null,
      Near: '',
      Tags: null,
      NodeMeta: null,
      ServiceMeta: null,
      Connect: false,
      Peer: '',
    },
    DNS: { TTL: '' },
    CreateIndex: 0,
    ModifyIndex: 0,
  };
}

function invalid(message: string): StateError {
  return new StateError('STATE_INVALID_REQUEST', message);
}

/** Creates (`create`) or replaces (`update`) a query; the ID comes from the proposer. */
export function setPreparedQuery(ctx: ApplyContext, input: PreparedQuery, op: 'create' | 'update'): PreparedQuery {
  const { data } = ctx;
  if (!input?.ID) throw invalid('Missing Query ID');
  const existing = data.queries.get(input.ID);
  if (op === 'update' && !existing) throw new StateError('STATE_UNKNOWN_QUERY', `Cannot modify non-existent prepared query: '${input.ID}'`);
  if (op === 'create' && existing) throw invalid(`Prepared query ID '${input.ID}' already in use`);
  const query: PreparedQuery = {
    ...structuredClone(input),
    CreateIndex: existing ? existing.CreateIndex : ctx.index,
    ModifyIndex: ctx.index,
  };
  const lower = query.Name.toLowerCase();
  for (const other of data.queries.values()) {
    if (other.ID === query.ID) continue;
    if (query.Name !== '' && other.Name.toLowerCase() === lower) throw invalid(`name '${query.Name}' aliases an existing query name`);
    if (query.Name === '' && isTemplate(query) && isTemplate(other) && other.Name === '') {
      throw invalid('a query template with an empty name already exists');
    }
  }
  if (isUuid(query.Name) && data.queries.has(query.Name)) throw invalid(`name '${query.Name}' aliases an existing query ID`);
  if (query.Session !== '' && !data.sessions.has(query.Session)) throw invalid(`invalid session ${JSON.stringify(query.Session)}`);
  if (isTemplate(query)) {
    try {
      compile(query);
    } catch (err) {
      if (err instanceof TemplateError) throw invalid(`failed compiling template: ${err.message}`);
      throw err;
    }
  }
  ctx.mapSet(data.queries, query.ID, query);
  ctx.bumpTable('prepared-queries');
  return query;
}

export function deletePreparedQuery(ctx: ApplyContext, id: string): void {
  const existing = ctx.data.queries.get(id);
  if (!existing) throw new StateError('STATE_UNKNOWN_QUERY', `Cannot modify non-existent prepared query: '${id}'`);
  removeQuery(ctx, existing);
}

function removeQuery(ctx: ApplyContext, q: PreparedQuery): void {
  ctx.mapDelete(ctx.data.queries, q.ID);
  ctx.bumpTable('prepared-queries');
}

/** A destroyed session takes the queries bound to it along. */
export function deleteSessionQueries(ctx: ApplyContext, sessionId: string): void {
  for (const q of [...ctx.data.queries.values()]) if (q.Session === sessionId) removeQuery(ctx, q);
}

/** Every query, ordered by ID. */
export function listPreparedQueries(data: StateData): PreparedQuery[] {
  return [...data.queries.values()].sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0));
}

export function restorePreparedQueries(data: StateData, queries: readonly PreparedQuery[]): void {
  for (const q of queries) data.queries.set(q.ID, q);
}

/** The query answering `idOrName` (rendered when it is a template), undefined when none does. */
export function resolvePreparedQuery(data: StateData, idOrName: string, source: QuerySource): PreparedQuery | undefined {
  if (idOrName === '') throw invalid('Missing Query ID');
  if (isUuid(idOrName)) {
    const byId = data.queries.get(idOrName) ?? data.queries.get(idOrName.toLowerCase());
    if (byId) {
      if (isTemplate(byId)) throw invalid('prepared query templates can only be resolved up by name, not by ID');
      return byId;
    }
  }
  const lower = idOrName.toLowerCase();
  let exact: PreparedQuery | undefined;
  let longest: PreparedQuery | undefined;
  for (const q of data.queries.values()) {
    const name = q.Name.toLowerCase();
    if (q.Name !== '' && name === lower) {
      exact = q;
      break;
    }
    if (isTemplate(q) && lower.startsWith(name) && (!longest || name.length > longest.Name.length)) longest = q;
  }
  const found = exact ?? longest;
  if (!found) return undefined;
  if (!isTemplate(found)) return found;
  try {
    return compile(found).render(idOrName, source);
  } catch (err) {
    if (err instanceof TemplateError) throw invalid(err.message);
    throw err;
  }
}

/**
 * Consul's `execute` in the local datacenter without ordering: instances that pass the query's
 * health rule (`FilterIgnore`: no critical check, no non-passing one with OnlyPassing, checks in
 * IgnoreCheckIDs skipped), its node and service metadata and its tags (`!tag` excludes).
 */
export function filterQueryNodes(query: PreparedQuery, entries: HealthServiceEntry[]): HealthServiceEntry[] {
  const svc = query.Service;
  const ignore = new Set(svc.IgnoreCheckIDs ?? []);
  const must: string[] = [];
  const not: string[] = [];
  for (const raw of svc.Tags ?? []) {
    const t = raw.toLowerCase();
    if (t.startsWith('!')) not.push(t.slice(1));
    else must.push(t);
  }
  const metaOk = (have: Record<string, string>, want: Record<string, string> | null) => Object.entries(want ?? {}).every(([k, v]) => have[k] === v);
  return entries.filter((e) => {
    for (const c of e.Checks) {
      if (ignore.has(c.CheckID)) continue;
      if (c.Status === 'critical' || (svc.OnlyPassing && c.Status !== 'passing')) return false;
    }
    if (!metaOk(e.Node.Meta ?? {}, svc.NodeMeta) || !metaOk(e.Service.Meta ?? {}, svc.ServiceMeta)) return false;
    if (must.length + not.length === 0) return true;
    const tags = new Set(e.Service.Tags.map((t) => t.toLowerCase()));
    return must.every((t) => tags.has(t)) && !not.some((t) => tags.has(t));
  });
}
