import test from 'ava';
import type { CheckRegistration, Command, HealthStatus, KvOp, StateSnapshot } from '../src/index.js';
import { StateStore, decodeCommand, encodeCommand } from '../src/index.js';

/** mulberry32: a tiny seeded PRNG, so a failing seed replays exactly. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  readonly #rnd: () => number;
  constructor(seed: number) {
    this.#rnd = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.#rnd() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  chance(p: number): boolean {
    return this.#rnd() < p;
  }
}

const KEYS = ['a', 'a/b', 'a/c/d', 'ab', 'b', 'b/x'];
const PREFIXES = ['', 'a', 'a/', 'b', 'zz'];
const NODES = ['n1', 'n2', 'n3'];
const SERVICES: { ID: string; Service: string }[] = [
  { ID: 'w1', Service: 'web' },
  { ID: 'w2', Service: 'web' },
  { ID: 'd1', Service: 'db' },
  { ID: 'w1', Service: 'db' }, // the same ID renamed to another service
];
const SESSIONS = ['s1', 's2', 's3', 's4'];
const STATUSES: HealthStatus[] = ['passing', 'warning', 'critical'];
const VALUES = [undefined, '', 'eA==', 'eQ==', 'eg=='];

function kvOp(g: Gen, s: StateStore, forTxn: boolean): KvOp {
  const Key = g.pick(KEYS);
  const current = s.kvGet(Key).value;
  const index = () => g.pick([0, current?.ModifyIndex ?? 0, current?.ModifyIndex ?? 0, (current?.ModifyIndex ?? 1) - 1, 9999]);
  const Session = g.pick([...SESSIONS, current?.Session ?? 's1']);
  const Value = g.pick(VALUES);
  const Flags = g.pick([0, 0, 1, 42]);
  const verbs = forTxn
    ? (['set', 'cas', 'lock', 'unlock', 'delete', 'delete-tree', 'delete-cas', 'get', 'get-tree', 'check-index', 'check-session', 'check-not-exists'] as const)
    : (['set', 'set', 'cas', 'lock', 'lock', 'unlock', 'delete', 'delete-tree', 'delete-cas'] as const);
  const Verb = g.pick(verbs);
  switch (Verb) {
    case 'set':
      return { Verb, Key, Value, Flags };
    case 'cas':
      return { Verb, Key, Value, Flags, Index: index() };
    case 'lock':
    case 'unlock':
      return { Verb, Key, Value, Flags, Session };
    case 'delete':
    case 'get':
    case 'check-not-exists':
      return { Verb, Key };
    case 'delete-tree':
    case 'get-tree':
      return { Verb, Key: g.pick(PREFIXES) };
    case 'delete-cas':
    case 'check-index':
      return { Verb, Key, Index: index() };
    case 'check-session':
      return { Verb, Key, Session };
  }
}

function checkReg(g: Gen, s: StateStore, node: string): CheckRegistration {
  const services = s.servicesOnNode(node);
  if (services.length > 0 && g.chance(0.5)) {
    const svc = g.pick(services);
    return { CheckID: g.pick([`service:${svc.ID}`, `alive:${svc.ID}`]), ServiceID: svc.ID, Status: g.pick(STATUSES) };
  }
  return { CheckID: g.pick(['serfHealth', 'serfHealth', 'mem']), Name: 'node check', Status: g.pick(STATUSES), Output: g.pick(['', 'ok']) };
}

function command(g: Gen, s: StateStore): Command {
  const node = g.pick(NODES);
  switch (g.int(12)) {
    case 0:
    case 1:
    case 2:
      return { type: 'kv', op: kvOp(g, s, false) };
    case 3:
      return { type: 'txn', ops: Array.from({ length: 1 + g.int(5) }, () => kvOp(g, s, true)) };
    case 4: {
      const checks = s.checksOnNode(node);
      const nodeChecks = checks.filter((c) => !c.ServiceID).map((c) => c.CheckID);
      const serviceChecks = checks.filter((c) => c.ServiceID).map((c) => ({ ID: c.CheckID }));
      return {
        type: 'session-create',
        session: {
          ID: g.pick(SESSIONS),
          Node: g.chance(0.9) ? node : 'ghost',
          LockDelay: g.pick([0, 1e9, 15e9]),
          Behavior: g.pick(['release', 'delete'] as const),
          TTL: g.pick(['', '10s']),
          NodeChecks: g.chance(0.5) ? nodeChecks.slice(0, 1 + g.int(2)) : g.chance(0.2) ? ['missing'] : null,
          ServiceChecks: g.chance(0.3) ? serviceChecks.slice(0, 1) : null,
        },
      };
    }
    case 5:
      return { type: 'session-destroy', id: g.pick(SESSIONS) };
    case 6:
    case 7: {
      const svc = g.chance(0.6) ? { ...g.pick(SERVICES), Tags: g.pick([[], ['v1'], ['v1', 'V2']]), Port: g.pick([80, 81]) } : undefined;
      const reg = {
        Node: node,
        Address: g.pick(['10.0.0.1', '10.0.0.2']),
        ...(svc ? { Service: svc } : {}),
        ...(g.chance(0.6) ? { Check: checkReg(g, s, node) } : {}),
      };
      if (svc && g.chance(0.5)) reg.Check = { CheckID: `service:${svc.ID}`, ServiceID: svc.ID, Status: g.pick(STATUSES) };
      return { type: 'register', reg };
    }
    case 8: {
      const r = g.int(3);
      if (r === 0) return { type: 'deregister', dereg: { Node: node } };
      if (r === 1) return { type: 'deregister', dereg: { Node: node, ServiceID: g.pick(SERVICES).ID } };
      return { type: 'deregister', dereg: { Node: node, CheckID: g.pick(['serfHealth', 'mem', 'service:w1', 'service:d1']) } };
    }
    case 9: {
      const checks = s.checksOnNode(node);
      const checkId = checks.length > 0 && g.chance(0.9) ? g.pick(checks).CheckID : 'ghost';
      return { type: 'check-status', node, checkId, status: g.pick(STATUSES), output: g.pick(['', 'out']) };
    }
    case 10:
      return { type: 'tombstone-reap', upTo: g.int(s.lastIndex + 1) };
    default:
      return { type: 'kv', op: { Verb: 'lock', Key: g.pick(KEYS), Session: g.pick(SESSIONS) } };
  }
}

/** Violations of the state's invariants, as readable strings. */
function invariants(snap: StateSnapshot, prev: StateSnapshot | undefined, reaped: boolean): string[] {
  const out: string[] = [];
  const sessions = new Set(snap.sessions.map((s) => s.ID));
  const nodes = new Set(snap.nodes.map((n) => n.Node));
  const services = new Set(snap.services.map(([n, s]) => `${n}/${s.ID}`));
  const live = new Set(snap.kv.map((e) => e.Key));
  const indexed = (what: string, e: { CreateIndex: number; ModifyIndex: number }) => {
    if (e.ModifyIndex < e.CreateIndex) out.push(`${what}: ModifyIndex ${e.ModifyIndex} < CreateIndex ${e.CreateIndex}`);
    if (e.ModifyIndex > snap.index) out.push(`${what}: ModifyIndex ${e.ModifyIndex} after the last index ${snap.index}`);
  };
  for (const e of snap.kv) {
    indexed(`kv ${e.Key}`, e);
    if (e.Session !== undefined && !sessions.has(e.Session)) out.push(`kv ${e.Key} is held by missing session ${e.Session}`);
    if (e.Session !== undefined && e.LockIndex < 1) out.push(`kv ${e.Key} is held with LockIndex ${e.LockIndex}`);
  }
  for (const [k] of snap.tombstones) if (live.has(k)) out.push(`tombstone for live key ${k}`);
  for (const s of snap.sessions) {
    indexed(`session ${s.ID}`, s);
    if (!nodes.has(s.Node)) out.push(`session ${s.ID} on missing node ${s.Node}`);
  }
  for (const n of snap.nodes) indexed(`node ${n.Node}`, n);
  for (const [n, s] of snap.services) {
    indexed(`service ${n}/${s.ID}`, s);
    if (!nodes.has(n)) out.push(`service ${n}/${s.ID} on missing node`);
    if (s.Tags === null || !Array.isArray(s.Tags)) out.push(`service ${n}/${s.ID} has no Tags array`);
  }
  for (const c of snap.checks) {
    indexed(`check ${c.Node}/${c.CheckID}`, c);
    if (!nodes.has(c.Node)) out.push(`check ${c.Node}/${c.CheckID} on missing node`);
    if (c.ServiceID && !services.has(`${c.Node}/${c.ServiceID}`)) out.push(`check ${c.Node}/${c.CheckID} refers to missing service ${c.ServiceID}`);
  }
  for (const [name, i] of snap.tableIndexes) if (i > snap.index) out.push(`table ${name} index ${i} after the last index`);
  if (prev) {
    const before = new Map(prev.tableIndexes);
    for (const [name, i] of snap.tableIndexes) {
      if (i < (before.get(name) ?? 0)) out.push(`table ${name} index went back from ${before.get(name)} to ${i}`);
    }
    for (const name of before.keys()) if (!snap.tableIndexes.some(([n]) => n === name)) out.push(`table ${name} index vanished`);
    const svcBefore = new Map(prev.serviceIndexes);
    for (const [name, i] of snap.serviceIndexes) {
      if (i < (svcBefore.get(name) ?? 0)) out.push(`service ${name} index went back`);
    }
    if (!reaped) {
      const tombBefore = new Map(prev.tombstones);
      for (const [k, i] of tombBefore) {
        if (!live.has(k) && !snap.tombstones.some(([t]) => t === k)) out.push(`tombstone ${k}@${i} vanished without a reap`);
      }
    }
  }
  return out;
}

/** Queries whose answers must match between replicas (order included). */
function answers(s: StateStore): unknown[] {
  const out: unknown[] = [];
  for (const p of PREFIXES) out.push(s.kvList(p), s.kvKeys(p, '/'));
  for (const k of KEYS) out.push(s.kvGet(k), s.lockDelayUntil(k));
  out.push(s.sessions(), s.nodes(), s.services(), s.checksInState('any'));
  for (const n of NODES) out.push(s.nodeServices(n), s.nodeChecks(n), s.nodeSessions(n));
  for (const name of ['web', 'db', 'ghost']) {
    out.push(s.serviceNodes(name), s.serviceNodes(name, ['v1']), s.healthService(name), s.healthService(name, { passing: true }), s.serviceChecks(name));
  }
  return out;
}

const SEEDS = 300;
const STEPS = 60;

function generate(seed: number): Command[] {
  const g = new Gen(seed);
  const probe = new StateStore();
  const commands: Command[] = [];
  let time = 1_000;
  for (let i = 0; i < STEPS; i++) {
    time += g.pick([0, 1, 500, 2_000, 16_000]);
    const c = { ...command(g, probe), time };
    commands.push(c);
    probe.apply(i + 1, c);
  }
  return commands;
}

const outcome = (r: { value: unknown; error?: { code: string; message: string } }) => ({
  value: r.value,
  error: r.error ? `${r.error.code}: ${r.error.message}` : undefined,
});

test(`random command sequences (${SEEDS} seeds) leave two replicas identical and keep the invariants after every step`, (t) => {
  const commandTypes = new Set<string>();
  let rejected = 0;
  let txnFailures = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const commands = generate(seed);
    const a = new StateStore();
    const b = new StateStore();
    let prev: StateSnapshot | undefined;
    for (const [i, c] of commands.entries()) {
      commandTypes.add(c.type);
      const ra = a.apply(i + 1, c);
      const rb = b.apply(i + 1, decodeCommand(encodeCommand(c)));
      if (ra.error) rejected++;
      if (c.type === 'txn' && (ra.value as { Errors: unknown }).Errors) txnFailures++;
      const where = `seed ${seed}, step ${i + 1} (${JSON.stringify(c)})`;
      if (JSON.stringify(outcome(ra)) !== JSON.stringify(outcome(rb))) {
        t.deepEqual(outcome(rb), outcome(ra), `replicas answered differently at ${where}`);
        return;
      }
      const snap = a.snapshot();
      const broken = invariants(snap, prev, c.type === 'tombstone-reap');
      if (broken.length > 0) {
        t.deepEqual(broken, [], `invariants broken at ${where}`);
        return;
      }
      prev = snap;
    }
    if (JSON.stringify(a.snapshot()) !== JSON.stringify(b.snapshot())) {
      t.deepEqual(b.snapshot(), a.snapshot(), `replicas differ after seed ${seed}`);
      return;
    }
  }
  t.deepEqual(
    [...commandTypes].sort(),
    ['check-status', 'deregister', 'kv', 'register', 'session-create', 'session-destroy', 'tombstone-reap', 'txn'],
    'every command type was exercised',
  );
  t.true(rejected > 0, 'some commands were rejected');
  t.true(txnFailures > 0, 'some transactions failed');
});

test(`random command sequences (${SEEDS} seeds) give identical state and answers after a snapshot and restore half-way`, (t) => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const commands = generate(seed);
    const half = Math.floor(commands.length / 2);
    const a = new StateStore();
    for (const [i, c] of commands.slice(0, half).entries()) a.apply(i + 1, c);
    const c3 = new StateStore();
    c3.restore(a.snapshot());
    if (JSON.stringify(c3.snapshot()) !== JSON.stringify(a.snapshot())) {
      t.deepEqual(c3.snapshot(), a.snapshot(), `restore changed the snapshot at seed ${seed}`);
      return;
    }
    for (let i = half; i < commands.length; i++) {
      const cmd = commands[i] as Command;
      const ra = a.apply(i + 1, cmd);
      const rc = c3.apply(i + 1, cmd);
      if (JSON.stringify(outcome(ra)) !== JSON.stringify(outcome(rc))) {
        t.deepEqual(outcome(rc), outcome(ra), `restored replica answered differently at seed ${seed}, step ${i + 1} (${JSON.stringify(cmd)})`);
        return;
      }
    }
    if (JSON.stringify(c3.snapshot()) !== JSON.stringify(a.snapshot())) {
      t.deepEqual(c3.snapshot(), a.snapshot(), `restored replica differs at seed ${seed}`);
      return;
    }
    const qa = answers(a);
    const qc = answers(c3);
    if (JSON.stringify(qa) !== JSON.stringify(qc)) {
      const at = qa.findIndex((x, i) => JSON.stringify(x) !== JSON.stringify(qc[i]));
      t.deepEqual(qc[at], qa[at], `restored replica answers query #${at} differently at seed ${seed}`);
      return;
    }
  }
  t.pass();
});
