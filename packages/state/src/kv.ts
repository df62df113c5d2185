import type { ApplyContext, StateData } from './data.js';
import { StateError } from './errors.js';
import type { KvEntry, KvOp } from './types.js';

/** Outcome of one KV operation: `ok` false means the operation's condition failed. */
export interface KvOpResult {
  ok: boolean;
  /** Why it failed, in Consul's words (used for txn errors). */
  what?: string;
  /** Entries a read verb returns (txn `get`/`get-tree`) or the written entry. */
  entries?: KvEntry[];
}

const ok = (entries?: KvEntry[]): KvOpResult => (entries ? { ok: true, entries } : { ok: true });
const fail = (what: string): KvOpResult => ({ ok: false, what });

function sessionExists(data: StateData, id: string | undefined): boolean {
  return !!id && data.sessions.has(id);
}

/** Applies one KV verb. Throws StateError only for invalid requests (unknown session). */
export function applyKvOp(ctx: ApplyContext, op: KvOp): KvOpResult {
  const { data } = ctx;
  const existing = data.kv.get(op.Key);
  const value = op.Value === undefined || op.Value === '' ? null : op.Value;
  const flags = op.Flags ?? 0;
  switch (op.Verb) {
    case 'set':
      return ok([write(ctx, op.Key, value, flags, existing, existing?.Session, existing?.LockIndex ?? 0)]);
    case 'cas': {
      const index = op.Index ?? 0;
      if (index === 0 ? existing !== undefined : existing?.ModifyIndex !== index) {
        return fail(`failed to set key "${op.Key}", index is stale`);
      }
      return ok([write(ctx, op.Key, value, flags, existing, existing?.Session, existing?.LockIndex ?? 0)]);
    }
    case 'lock': {
      const session = op.Session ?? '';
      if (!sessionExists(data, session)) {
        throw new StateError('STATE_INVALID_SESSION', `invalid session "${session}"`);
      }
      const delayUntil = data.lockDelays.get(op.Key);
      if (delayUntil !== undefined && ctx.time < delayUntil) {
        return fail(`failed to lock key "${op.Key}" due to lock delay`);
      }
      if (existing?.Session && existing.Session !== session) {
        return fail(`failed to lock key "${op.Key}", lock is already held`);
      }
      const lockIndex = existing?.Session === session ? existing.LockIndex : (existing?.LockIndex ?? 0) + 1;
      return ok([write(ctx, op.Key, value, flags, existing, session, lockIndex)]);
    }
    case 'unlock': {
      const session = op.Session ?? '';
      if (!existing || existing.Session !== session || !session) {
        return fail(`failed to unlock key "${op.Key}", lock isn't held, or is held by another session`);
      }
      return ok([write(ctx, op.Key, value, flags, existing, undefined, existing.LockIndex)]);
    }
    case 'delete':
      ctx.kvDelete(op.Key);
      return ok();
    case 'delete-cas': {
      if (!existing) return ok();
      if (existing.ModifyIndex !== (op.Index ?? 0)) {
        return fail(`failed to delete key "${op.Key}", index is stale`);
      }
      ctx.kvDelete(op.Key);
      return ok();
    }
    case 'delete-tree': {
      for (const e of [...data.kvKeys.withPrefix(op.Key)]) ctx.kvDelete(e.Key);
      return ok();
    }
    case 'get':
      return existing ? ok([existing]) : fail(`key "${op.Key}" doesn't exist`);
    case 'get-or-empty':
      // Consul answers a missing key with the op's own entry, value null, never written.
      return ok([
        existing ?? {
          LockIndex: 0,
          Key: op.Key,
          Flags: flags,
          Value: null,
          ...(op.Session ? { Session: op.Session } : {}),
          CreateIndex: 0,
          ModifyIndex: op.Index ?? 0,
        },
      ]);
    case 'get-tree':
      return ok(kvList(data, op.Key));
    case 'check-index':
      if (!existing) return fail(`failed to check index, key "${op.Key}" doesn't exist`);
      if (existing.ModifyIndex !== (op.Index ?? 0)) {
        return fail(`failed index check for key "${op.Key}", current modify index ${existing.ModifyIndex} != ${op.Index ?? 0}`);
      }
      return ok([existing]);
    case 'check-session': {
      if (!existing) return fail(`failed to check session, key "${op.Key}" doesn't exist`);
      const current = existing.Session ?? '';
      if (current !== (op.Session ?? '')) {
        return fail(`failed session check for key "${op.Key}", current session "${current}" != "${op.Session ?? ''}"`);
      }
      return ok([existing]);
    }
    case 'check-not-exists':
      return existing ? fail(`key "${op.Key}" exists`) : ok();
    default:
      throw new StateError('STATE_INVALID_REQUEST', `unknown KV verb "${String((op as KvOp).Verb)}"`);
  }
}

function write(
  ctx: ApplyContext,
  key: string,
  value: string | null,
  flags: number | string,
  existing: KvEntry | undefined,
  session: string | undefined,
  lockIndex: number,
): KvEntry {
  if (existing && existing.Value === value && existing.Flags === flags && existing.Session === session && existing.LockIndex === lockIndex) {
    return existing; // identical write: no new index
  }
  const entry: KvEntry = {
    LockIndex: lockIndex,
    Key: key,
    Flags: flags,
    Value: value,
    CreateIndex: existing?.CreateIndex ?? ctx.index,
    ModifyIndex: ctx.index,
  };
  if (session) {
    // keep Consul's field order: Session comes right after Value
    const withSession: KvEntry = {
      LockIndex: entry.LockIndex,
      Key: key,
      Flags: flags,
      Value: value,
      Session: session,
      CreateIndex: entry.CreateIndex,
      ModifyIndex: entry.ModifyIndex,
    };
    ctx.kvSet(withSession, existing ?? null);
    return withSession;
  }
  ctx.kvSet(entry, existing ?? null);
  return entry;
}

// ---------------------------------------------------------------------------------------------
// Queries

export function kvList(data: StateData, prefix: string): KvEntry[] {
  const out: KvEntry[] = [];
  for (const e of data.kvKeys.withPrefix(prefix)) out.push(e);
  return out;
}

/** Keys under `prefix`; with a separator, everything after the first separator past the prefix is folded. */
export function kvKeyList(data: StateData, prefix: string, separator: string): string[] {
  const out: string[] = [];
  let last = '';
  for (const { Key: key } of data.kvKeys.withPrefix(prefix)) {
    let k = key;
    if (separator) {
      const at = key.indexOf(separator, prefix.length);
      if (at !== -1) k = key.slice(0, at + separator.length);
    }
    if (k !== last) {
      out.push(k);
      last = k;
    }
  }
  return out;
}

/** The index of the whole KV table (including deletes). */
export function kvTableIndex(data: StateData): number {
  return data.tableIndexes.get('kvs') ?? 0;
}

/** Max ModifyIndex of keys and tombstones under a prefix; the table index when nothing matches. */
export function kvPrefixIndex(data: StateData, prefix: string): number {
  if (prefix === '') return kvTableIndex(data); // the whole store: the table index, as Consul does
  let max = 0;
  for (const e of data.kvKeys.withPrefix(prefix)) {
    const m = e.ModifyIndex;
    if (m > max) max = m;
  }
  for (const key of data.tombstoneKeys.withPrefix(prefix)) {
    const m = data.tombstones.get(key) as number;
    if (m > max) max = m;
  }
  return max === 0 ? kvTableIndex(data) : max;
}

/** Drops tombstones at or below `upTo` (they have been visible long enough). */
export function reapTombstones(data: StateData, upTo: number): number {
  let reaped = 0;
  for (const [key, index] of data.tombstones) {
    if (index <= upTo) {
      data.tombstones.delete(key);
      data.tombstoneKeys.delete(key);
      reaped++;
    }
  }
  return reaped;
}
