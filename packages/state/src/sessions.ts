import type { ApplyContext, StateData } from './data.js';
import { StateError } from './errors.js';
import { deleteSessionQueries } from './prepared-queries.js';
import type { KvEntry, SessionCreate, SessionEntry } from './types.js';
import { topics } from './watch-hub.js';

export function createSession(ctx: ApplyContext, req: SessionCreate): SessionEntry {
  const { data } = ctx;
  if (!req.ID) throw new StateError('STATE_INVALID_REQUEST', 'Missing session ID');
  if (data.sessions.has(req.ID)) throw new StateError('STATE_INVALID_REQUEST', `Session ID '${req.ID}' already in use`);
  if (!data.nodes.has(req.Node)) {
    throw new StateError('STATE_MISSING_NODE', `Missing node registration`);
  }
  const nodeChecks = data.checks.get(req.Node);
  for (const id of req.NodeChecks ?? []) {
    const check = nodeChecks?.get(id);
    if (!check) throw new StateError('STATE_UNKNOWN_CHECK', `Missing check '${id}' registration`);
    if (check.Status === 'critical') throw new StateError('STATE_CHECK_CRITICAL', `Check '${id}' is in critical state`);
  }
  for (const { ID } of req.ServiceChecks ?? []) {
    const check = nodeChecks?.get(ID);
    if (!check) throw new StateError('STATE_UNKNOWN_CHECK', `Missing check '${ID}' registration`);
    if (check.Status === 'critical') throw new StateError('STATE_CHECK_CRITICAL', `Check '${ID}' is in critical state`);
  }
  const session: SessionEntry = {
    ID: req.ID,
    Name: req.Name ?? '',
    Node: req.Node,
    LockDelay: req.LockDelay,
    Behavior: req.Behavior,
    TTL: req.TTL,
    NodeChecks: req.NodeChecks,
    ServiceChecks: req.ServiceChecks,
    CreateIndex: ctx.index,
    ModifyIndex: ctx.index,
  };
  ctx.mapSet(data.sessions, session.ID, session);
  ctx.bumpTable('sessions');
  ctx.touch(topics.session(session.ID));
  return session;
}

/** Destroys a session: its locks are released or deleted (per Behavior) and get a lock-delay. */
export function invalidateSession(ctx: ApplyContext, id: string): boolean {
  const { data } = ctx;
  const session = data.sessions.get(id);
  if (!session) return false;
  const held = [...(data.sessionKeys.get(id) ?? [])];
  const delayMs = session.LockDelay / 1e6;
  for (const key of held) {
    const entry = data.kv.get(key) as KvEntry;
    if (session.Behavior === 'delete') {
      ctx.kvDelete(key);
    } else {
      ctx.kvSet({
        LockIndex: entry.LockIndex,
        Key: entry.Key,
        Flags: entry.Flags,
        Value: entry.Value,
        CreateIndex: entry.CreateIndex,
        ModifyIndex: ctx.index,
      });
    }
    if (delayMs > 0) ctx.mapSet(data.lockDelays, key, ctx.time + delayMs);
  }
  ctx.mapDelete(data.sessions, id);
  deleteSessionQueries(ctx, id);
  ctx.bumpTable('sessions');
  ctx.touch(topics.session(id));
  return true;
}

/** Sessions that depend on a node check or a service check of `node` with id `checkId`. */
export function sessionsOnCheck(data: StateData, node: string, checkId: string): string[] {
  const out: string[] = [];
  for (const s of data.sessions.values()) {
    if (s.Node !== node) continue;
    if (s.NodeChecks?.includes(checkId) || s.ServiceChecks?.some((c) => c.ID === checkId)) out.push(s.ID);
  }
  return out;
}

/** Drops lock-delays that have expired, so the table does not grow forever. */
export function pruneLockDelays(data: StateData, now: number): void {
  for (const [key, until] of data.lockDelays) if (until <= now) data.lockDelays.delete(key);
}
