import { checkHistory, type Operation } from '../check/linearizability.js';
import { registerModel, type RegisterInput, type RegisterOutput } from '../check/register-model.js';
import { bootstrapEntries } from '../core/bootstrap.js';
import type { InjectedBug } from '../core/config.js';
import { Xoshiro128 } from '../core/prng.js';
import { RawNode, type Ready } from '../core/raw-node.js';
import { NONE, type Message, type NodeId } from '../core/types.js';
import { RaftError } from '../errors.js';
import { MemoryStorage } from '../storage/memory-storage.js';
import { EventQueue } from './event-queue.js';
import { SimNetwork } from './network.js';
import { encodeCommand, RegisterMachine } from './register-machine.js';
import { SafetyChecker } from './safety-checker.js';

export interface SimOptions {
  readonly seed: number;
  /** Initial voters: 3 or 5. Default: chosen by the seed. */
  readonly nodes?: 3 | 5;
  readonly injectBug?: InjectedBug | undefined;
  /** Simulated milliseconds of faults and workload before the liveness phase. Default 6000. */
  readonly durationMs?: number;
  /** Receives a readable trace line by line. */
  readonly trace?: ((line: string) => void) | undefined;
}

export interface SimResult {
  readonly seed: number;
  readonly violations: readonly string[];
  /** The client history given to the linearizability checker. */
  readonly history: readonly Operation<RegisterInput, RegisterOutput>[];
  readonly stats: {
    readonly nodes: number;
    readonly ops: number;
    readonly unknown: number;
    readonly leaders: number;
    readonly messages: number;
    readonly simulatedMs: number;
  };
}

const TICK_MS = 10;
const CLIENT_TIMEOUT_MS = 400;
/** After healing, a new write must commit within this long: 10 maximal election timeouts. */
const LIVENESS_MS = 10 * 2 * 10 * TICK_MS;

type Respond = (r: { ok: true; value: RegisterOutput } | { ok: false; hint: NodeId }) => void;

class SimNode {
  readonly id: NodeId;
  readonly storage = new MemoryStorage();
  readonly rng: Xoshiro128;
  raw: RawNode | undefined;
  sm = new RegisterMachine();
  applied = 0;
  checkedCommit = 0;
  busy = false;
  incarnation = 0;
  retired = false;
  ctxSeq = 0;
  lastRole = 'follower';
  pendingProps = new Map<number, { term: number; respond: Respond }>();
  readCtx = new Map<string, { key: string; respond: Respond }>();
  readWaits: { index: number; key: string; respond: Respond }[] = [];

  constructor(id: NodeId, rng: Xoshiro128) {
    this.id = id;
    this.rng = rng;
  }
}

interface Swarm {
  crashes: boolean;
  partitions: boolean;
  transfers: boolean;
  membership: boolean;
  snapshotEvery: number;
  faultEveryMs: number;
  maxInflight: number;
  maxSizePerMsg: number;
}

/** One whole-cluster run from one seed. Every decision comes from the seed, so a run replays exactly. */
export class Simulation {
  readonly #opts: SimOptions;
  readonly #q = new EventQueue();
  readonly #net: SimNetwork;
  readonly #checker = new SafetyChecker();
  readonly #nodes = new Map<NodeId, SimNode>();
  readonly #rngNodes: Xoshiro128;
  readonly #rngDisk: Xoshiro128;
  readonly #rngWork: Xoshiro128;
  readonly #rngFault: Xoshiro128;
  readonly #swarm: Swarm;
  readonly #history: Operation<RegisterInput, RegisterOutput>[] = [];
  readonly #removing = new Set<NodeId>();
  readonly #early = new WeakSet<Message>();
  /** Client operations still waiting for an answer; at the end their outcome is unknown. */
  readonly #inflight = new Map<number, { clientId: number; input: RegisterInput; call: number }>();
  #opSeq = 0;
  readonly #lastSeen = new Map<string, number | null>();
  readonly #initial: number;
  #nextId: number;
  #unknown = 0;
  #leaderTerms = new Set<number>();
  #liveness = false;
  #stopped = false;
  #valueSeq = 0;

  constructor(opts: SimOptions) {
    this.#opts = opts;
    const root = new Xoshiro128(opts.seed);
    const rngNet = root.fork();
    this.#rngDisk = root.fork();
    this.#rngWork = root.fork();
    this.#rngFault = root.fork();
    this.#rngNodes = root.fork();
    const f = this.#rngFault;
    this.#initial = opts.nodes ?? (f.next() < 0.5 ? 3 : 5);
    this.#nextId = this.#initial + 1;
    this.#swarm = {
      crashes: f.next() < 0.7,
      partitions: f.next() < 0.8,
      transfers: f.next() < 0.5,
      membership: f.next() < 0.5,
      snapshotEvery: [8, 30, 100][f.int(3)]!,
      faultEveryMs: 100 + f.int(400),
      maxInflight: [1, 4, 64][f.int(3)]!,
      maxSizePerMsg: [200, 4096][f.int(2)]!,
    };
    this.#net = new SimNetwork(this.#q, rngNet, {
      loss: [0, 0.01, 0.05, 0.15][f.int(4)]!,
      duplicate: [0, 0.02, 0.1][f.int(3)]!,
      delay: 1 + f.int(3),
      jitter: [1, 5, 20][f.int(3)]!,
    });
  }

  #trace(line: string): void {
    this.#opts.trace?.(`[${this.#q.now.toFixed(1).padStart(8)}ms] ${line}`);
  }

  #nodeStatus(n: SimNode): string {
    if (!n.raw) return `n${n.id} down`;
    const s = n.raw.status();
    return `n${n.id} ${s.role.padEnd(12)} term=${s.term} lead=${s.lead || '-'} commit=${s.commit} applied=${s.applied} last=${s.lastIndex} voters=(${s.conf.voters.join(',')}) learners=(${s.conf.learners.join(',')})`;
  }

  run(): SimResult {
    const duration = this.#opts.durationMs ?? 6000;
    const voters = Array.from({ length: this.#initial }, (_, i) => String(i + 1));
    this.#trace(`seed ${this.#opts.seed}: ${this.#initial} nodes, swarm ${JSON.stringify(this.#swarm)}, network ${JSON.stringify(this.#net.faults)}${this.#opts.injectBug ? `, injected bug ${this.#opts.injectBug}` : ''}`);
    for (const id of voters) {
      const n = this.#addNode(id);
      const b = bootstrapEntries(voters);
      n.storage.append(b.entries);
      n.storage.setHardState(b.hardState);
      this.#start(n);
    }
    const clients = 2 + this.#rngWork.int(3);
    for (let c = 0; c < clients; c++) this.#q.schedule(this.#rngWork.int(50), () => this.#clientLoop(c));
    this.#q.schedule(this.#swarm.faultEveryMs, () => this.#faultLoop());

    try {
      this.#runUntil(duration);
      this.#livenessPhase(duration);
    } catch (err) {
      this.#checker.now = this.#q.now;
      this.#checker.violations.push(`t=${this.#q.now.toFixed(1)}ms exception: ${err instanceof Error ? `${(err as RaftError).code ?? ''} ${err.message}` : String(err)}`);
    }
    this.#stopped = true;
    for (const op of this.#inflight.values()) {
      if (op.input.kind === 'read') continue;
      this.#unknown++;
      this.#history.push({ clientId: op.clientId, input: op.input, output: undefined, call: op.call, ret: Infinity });
    }

    const report = checkHistory(registerModel, this.#history, 2_000_000);
    if (report.result === 'illegal') {
      this.#checker.violations.push(`linearizability: history of register(s) ${report.failedPartitions.join(',')} is not linearizable`);
    } else if (report.result === 'unknown') {
      this.#trace(`linearizability check ran out of budget on ${report.failedPartitions.join(',')}`);
    }
    for (const n of this.#nodes.values()) this.#trace(this.#nodeStatus(n));
    return {
      seed: this.#opts.seed,
      violations: this.#checker.violations,
      history: this.#history,
      stats: {
        nodes: this.#nodes.size,
        ops: this.#history.length,
        unknown: this.#unknown,
        leaders: this.#leaderTerms.size,
        messages: this.#net.sent,
        simulatedMs: Math.round(this.#q.now),
      },
    };
  }

  #runUntil(t: number): void {
    while (this.#checker.violations.length === 0 && this.#q.runNext(t)) {
      // events run synchronously
    }
  }

  #livenessPhase(start: number): void {
    if (this.#checker.violations.length > 0) return;
    this.#liveness = true;
    this.#net.healAll();
    this.#net.faults = { ...this.#net.faults, loss: 0, duplicate: 0 };
    for (const n of this.#nodes.values()) if (!n.raw && !n.retired) this.#restart(n);
    this.#trace('liveness phase: network healed, every node restarted, faults off');
    const deadline = start + LIVENESS_MS;
    let committed = false;
    let proposedAt = -1;
    let target: { node: SimNode; index: number; term: number } | undefined;
    while (!committed && this.#q.now < deadline) {
      this.#runUntil(this.#q.now + 20);
      if (this.#checker.violations.length > 0) return;
      if (target) {
        const n = target.node;
        if (n.raw && n.applied >= target.index && n.raw.raft.log.term(target.index) === target.term) committed = true;
        else if (this.#q.now - proposedAt > 1000) target = undefined;
        continue;
      }
      const leader = [...this.#nodes.values()].find((n) => n.raw?.raft.role === 'leader' && n.raw.raft.leadTransferee === NONE);
      if (!leader?.raw) continue;
      try {
        const r = leader.raw.propose([encodeCommand({ op: 'write', key: 'liveness', value: 1 })]);
        target = { node: leader, index: r.index, term: r.term };
        proposedAt = this.#q.now;
        this.#pump(leader);
      } catch {
        // not leader any more; try again
      }
    }
    if (!committed) {
      this.#checker.now = this.#q.now;
      this.#checker.violations.push(`t=${this.#q.now.toFixed(1)}ms liveness: no write committed within ${LIVENESS_MS}ms after healing`);
      for (const n of this.#nodes.values()) {
        this.#checker.violations.push(`  ${this.#nodeStatus(n)}`);
        for (const [id, p] of n.raw?.status().progress ?? []) {
          this.#checker.violations.push(`    progress ${id}: ${p.state} match=${p.match} next=${p.next} active=${p.recentActive} inflight=${p.inflight}`);
        }
      }
    } else {
      this.#trace('liveness: a new write committed after healing');
    }
  }

  // ---- nodes -----------------------------------------------------------------------------

  #addNode(id: NodeId): SimNode {
    const n = new SimNode(id, this.#rngNodes.fork());
    this.#nodes.set(id, n);
    const offset = n.rng.next() * TICK_MS;
    const tick = (): void => {
      if (this.#stopped || n.retired) return;
      if (n.raw) {
        n.raw.tick();
        this.#pump(n);
      }
      this.#q.schedule(TICK_MS, tick);
    };
    this.#q.schedule(offset, tick);
    return n;
  }

  #start(n: SimNode): void {
    const snap = n.storage.snapshot();
    n.raw = new RawNode(
      {
        id: n.id,
        prng: n.rng.fork(),
        electionTick: 10,
        heartbeatTick: 1,
        preVote: true,
        checkQuorum: true,
        applied: snap.meta.index,
        maxInflightMsgs: this.#swarm.maxInflight,
        maxSizePerMsg: this.#swarm.maxSizePerMsg,
        injectBug: this.#opts.injectBug,
      },
      n.storage,
    );
    n.sm = new RegisterMachine();
    n.sm.restore(snap.data);
    n.applied = snap.meta.index;
    n.checkedCommit = snap.meta.index;
    n.lastRole = 'follower';
  }

  #crash(n: SimNode): void {
    n.raw = undefined;
    n.incarnation++;
    n.busy = false;
    n.pendingProps.clear();
    n.readCtx.clear();
    n.readWaits = [];
    this.#trace(`crash n${n.id} (unsynced writes lost)`);
  }

  #restart(n: SimNode): void {
    this.#start(n);
    this.#trace(`restart n${n.id} from disk: ${this.#nodeStatus(n)}`);
    this.#pump(n);
  }

  #deliver(m: Message): void {
    const n = this.#nodes.get(m.to);
    if (!n?.raw) return;
    n.raw.step(m);
    this.#pump(n);
  }

  #pump(n: SimNode): void {
    const raw = n.raw;
    if (!raw || n.busy || this.#stopped || !raw.hasReady()) return;
    const rd = raw.ready();
    n.busy = true;
    const inc = n.incarnation;
    // As the driver does: a leader sends appends and heartbeats before its own write completes.
    if (raw.raft.role === 'leader') {
      for (const m of rd.messages) {
        if (m.type !== 'app' && m.type !== 'heartbeat') continue;
        if (m.commit > n.storage.lastIndex()) {
          this.#checker.violations.push(`t=${this.#q.now.toFixed(1)}ms leader n${n.id} would send commit ${m.commit} beyond its durable log ${n.storage.lastIndex()}`);
        }
        this.#early.add(m);
        this.#net.send(m, (x) => this.#deliver(x));
      }
    }
    const writes = rd.entries.length > 0 || rd.hardState !== undefined || rd.snapshot !== undefined;
    if (!writes) {
      this.#complete(n, rd);
      return;
    }
    const latency = rd.mustSync ? 0.3 + this.#rngDisk.next() * 2 : 0.05;
    this.#q.schedule(latency, () => {
      if (n.incarnation === inc && n.raw === raw) this.#complete(n, rd);
    });
  }

  /** The driver's procedure, synchronously: persist, send, apply, advance. */
  #complete(n: SimNode, rd: Ready): void {
    const raw = n.raw!;
    const chk = this.#checker;
    chk.now = this.#q.now;
    if (rd.snapshot) n.storage.applySnapshot(rd.snapshot);
    if (rd.entries.length > 0) {
      n.storage.append(rd.entries);
      chk.onPersist(n.id, rd.entries, (i) => {
        try {
          return n.storage.term(i);
        } catch {
          return undefined;
        }
      });
    }
    if (rd.hardState) {
      n.storage.setHardState(rd.hardState);
      chk.onHardState(n.id, rd.hardState);
    }
    for (const m of rd.messages) {
      if (this.#early.has(m)) continue;
      if (m.type === 'snap') {
        this.#trace(`n${m.from} sends snapshot at ${m.snapshot?.meta.index} to n${m.to}`);
        this.#net.send(m, (x) => this.#deliver(x), (ok) => {
          const s = this.#nodes.get(m.from);
          if (s?.raw) {
            s.raw.reportSnapshot(m.to, ok);
            this.#pump(s);
          }
        });
      } else {
        this.#net.send(m, (x) => this.#deliver(x));
      }
    }
    if (rd.snapshot) {
      n.sm.restore(rd.snapshot.data);
      n.applied = rd.snapshot.meta.index;
      n.checkedCommit = Math.max(n.checkedCommit, rd.snapshot.meta.index);
      for (const idx of [...n.pendingProps.keys()]) if (idx <= n.applied) n.pendingProps.delete(idx);
      this.#trace(`n${n.id} installed snapshot at ${rd.snapshot.meta.index}`);
    }
    const commit = raw.raft.log.committed;
    for (const e of rd.committedEntries) {
      chk.onApply(n.id, e, commit, n.applied);
      n.applied = e.index;
      const result = n.sm.apply(e);
      const p = n.pendingProps.get(e.index);
      if (p) {
        n.pendingProps.delete(e.index);
        if (p.term === e.term) p.respond({ ok: true, value: result ?? true });
        else p.respond({ ok: false, hint: raw.raft.lead });
      }
    }
    if (commit > n.checkedCommit) {
      chk.onCommit(n.id, n.checkedCommit, commit, (i) => {
        try {
          return raw.raft.log.slice(i, i + 1, Number.MAX_SAFE_INTEGER)[0];
        } catch {
          return undefined;
        }
      });
      n.checkedCommit = commit;
    }
    if (rd.softState) {
      if (rd.softState.role === 'leader') {
        chk.onLeader(n.id, raw.raft.term, raw.raft.log);
        this.#leaderTerms.add(raw.raft.term);
      }
      if (rd.softState.role !== n.lastRole) this.#trace(`${this.#nodeStatus(n)}`);
      n.lastRole = rd.softState.role;
    }
    for (const rs of rd.readStates) {
      const w = n.readCtx.get(rs.context);
      if (w) {
        n.readCtx.delete(rs.context);
        n.readWaits.push({ index: rs.index, key: w.key, respond: w.respond });
      }
    }
    if (n.readWaits.length > 0) {
      const ready = n.readWaits.filter((w) => w.index <= n.applied);
      n.readWaits = n.readWaits.filter((w) => w.index > n.applied);
      for (const w of ready) w.respond({ ok: true, value: n.sm.read(w.key) });
    }
    raw.advance(rd);
    n.busy = false;
    if (rd.committedEntries.length > 0 && raw.raft.role === 'leader') this.#retireRemoved(raw);
    this.#maybeSnapshot(n, false);
    this.#pump(n);
  }

  #maybeSnapshot(n: SimNode, force: boolean): void {
    const raw = n.raw;
    if (!raw) return;
    const snapIndex = n.storage.snapshot().meta.index;
    if (n.applied <= snapIndex) return;
    if (!force && n.applied - snapIndex < this.#swarm.snapshotEvery) return;
    if (n.applied > n.storage.lastIndex()) return;
    n.storage.createSnapshot(n.applied, raw.confState(), n.sm.snapshot());
    n.storage.compact(Math.max(n.storage.firstIndex() - 1, n.applied - n.rng.int(5)));
  }

  #retireRemoved(leader: RawNode): void {
    const conf = leader.confState();
    for (const id of [...this.#removing]) {
      if (conf.voters.includes(id) || conf.learners.includes(id)) continue;
      this.#removing.delete(id);
      this.#q.schedule(300, () => {
        const n = this.#nodes.get(id);
        if (!n || n.retired) return;
        if (n.raw) this.#crash(n);
        n.retired = true;
        this.#trace(`n${id} retired after its removal`);
      });
    }
  }

  // ---- workload --------------------------------------------------------------------------

  #clientLoop(clientId: number): void {
    if (this.#liveness || this.#stopped) return;
    const rng = this.#rngWork;
    const key = `k${rng.int(3)}`;
    const r = rng.next();
    let input: RegisterInput;
    if (r < 0.45) input = { kind: 'read', key };
    else if (r < 0.8) input = { kind: 'write', key, value: ++this.#valueSeq };
    else {
      // Mostly compare against the last value some client observed, so that many CAS succeed.
      const seen = this.#lastSeen.get(key);
      const from = seen !== undefined && rng.next() < 0.7 ? seen : rng.next() < 0.3 ? null : rng.int(this.#valueSeq + 1);
      input = { kind: 'cas', key, from, to: ++this.#valueSeq };
    }
    const live = [...this.#nodes.values()].filter((n) => !n.retired);
    const leaders = live.filter((n) => n.raw?.raft.role === 'leader');
    const target =
      input.kind === 'read' && rng.next() < 0.5
        ? live[rng.int(live.length)]!
        : (leaders[rng.int(leaders.length)] ?? live[rng.int(live.length)]!);
    const call = this.#q.now;
    const opId = ++this.#opSeq;
    this.#inflight.set(opId, { clientId, input, call });
    let finished = false;
    const next = (): void => {
      this.#q.schedule(rng.int(20), () => this.#clientLoop(clientId));
    };
    const respond: Respond = (res) => {
      this.#q.schedule(0.5 + rng.next(), () => {
        if (finished) return;
        finished = true;
        this.#inflight.delete(opId);
        if (res.ok) {
          this.#history.push({ clientId, input, output: res.value, call, ret: this.#q.now });
          if (input.kind === 'read') this.#lastSeen.set(input.key, res.value as number | null);
          else if (input.kind === 'write' || res.value === true) this.#lastSeen.set(input.key, input.kind === 'write' ? input.value : input.to);
          this.#trace(`client ${clientId} ${describeInput(input)} -> ${String(res.value)} (n${target.id})`);
        }
        next();
      });
    };
    this.#q.schedule(CLIENT_TIMEOUT_MS, () => {
      if (finished) return;
      finished = true;
      this.#inflight.delete(opId);
      if (input.kind !== 'read') {
        this.#unknown++;
        this.#history.push({ clientId, input, output: undefined, call, ret: Infinity });
        this.#trace(`client ${clientId} ${describeInput(input)} timed out (outcome unknown)`);
      }
      next();
    });
    this.#q.schedule(0.5 + rng.next(), () => this.#serve(target, input, respond));
  }

  #serve(n: SimNode, input: RegisterInput, respond: Respond): void {
    const raw = n.raw;
    if (!raw) return;
    try {
      if (input.kind === 'read') {
        const ctx = `${n.id}/${n.incarnation}/${++n.ctxSeq}`;
        n.readCtx.set(ctx, { key: input.key, respond });
        raw.readIndex(ctx);
      } else {
        const cmd =
          input.kind === 'write'
            ? encodeCommand({ op: 'write', key: input.key, value: input.value })
            : encodeCommand({ op: 'cas', key: input.key, from: input.from, to: input.to });
        const r = raw.propose([cmd]);
        n.pendingProps.set(r.index, { term: r.term, respond });
      }
    } catch (err) {
      if (!(err instanceof RaftError)) throw err;
      respond({ ok: false, hint: raw.raft.lead });
    }
    this.#pump(n);
  }

  // ---- faults ----------------------------------------------------------------------------

  #faultLoop(): void {
    if (this.#liveness || this.#stopped) return;
    const f = this.#rngFault;
    const s = this.#swarm;
    const actions: (() => void)[] = [];
    if (s.partitions) actions.push(() => this.#partition(), () => this.#partition(), () => this.#heal());
    if (s.crashes) actions.push(() => this.#crashOrRestart(), () => this.#crashOrRestart());
    if (s.transfers) actions.push(() => this.#transfer());
    if (s.membership) actions.push(() => this.#membership());
    actions.push(() => this.#forceSnapshot());
    actions[f.int(actions.length)]!();
    this.#q.schedule(s.faultEveryMs * (0.5 + f.next()), () => this.#faultLoop());
  }

  #liveIds(): NodeId[] {
    return [...this.#nodes.values()].filter((n) => !n.retired).map((n) => n.id);
  }

  #partition(): void {
    const f = this.#rngFault;
    const ids = this.#liveIds();
    const kind = f.int(4);
    this.#net.healAll();
    if (kind === 0) {
      const a = ids[f.int(ids.length)]!;
      for (const b of ids) if (b !== a) (this.#net.block(a, b), this.#net.block(b, a));
      this.#trace(`partition: isolate n${a}`);
    } else if (kind === 1) {
      const a = ids[f.int(ids.length)]!;
      const others = ids.filter((x) => x !== a);
      const b = others[f.int(others.length)]!;
      this.#net.block(a, b);
      this.#trace(`partition: one-way n${a} -x-> n${b}`);
    } else if (kind === 2 && ids.length >= 3) {
      const bridge = ids[f.int(ids.length)]!;
      const rest = ids.filter((x) => x !== bridge);
      const left = rest.filter(() => f.next() < 0.5);
      const right = rest.filter((x) => !left.includes(x));
      for (const a of left) for (const b of right) (this.#net.block(a, b), this.#net.block(b, a));
      this.#trace(`partition: bridge n${bridge} between (${left.join(',')}) and (${right.join(',')})`);
    } else {
      const left = ids.filter(() => f.next() < 0.5);
      const right = ids.filter((x) => !left.includes(x));
      for (const a of left) for (const b of right) (this.#net.block(a, b), this.#net.block(b, a));
      this.#trace(`partition: split (${left.join(',')}) | (${right.join(',')})`);
    }
  }

  #heal(): void {
    this.#net.healAll();
    this.#trace('partition: healed');
  }

  #crashOrRestart(): void {
    const f = this.#rngFault;
    const nodes = [...this.#nodes.values()].filter((n) => !n.retired);
    const down = nodes.filter((n) => !n.raw);
    if (down.length > 0 && f.next() < 0.6) {
      this.#restart(down[f.int(down.length)]!);
      return;
    }
    const up = nodes.filter((n) => n.raw);
    if (up.length === 0) return;
    // Prefer the leader now and then: that is where the interesting bugs hide.
    const leader = up.find((n) => n.raw?.raft.role === 'leader');
    const victim = leader && f.next() < 0.4 ? leader : up[f.int(up.length)]!;
    this.#crash(victim);
  }

  #leader(): SimNode | undefined {
    return [...this.#nodes.values()].find((n) => n.raw?.raft.role === 'leader');
  }

  #transfer(): void {
    const leader = this.#leader();
    if (!leader?.raw) return;
    const voters = leader.raw.confState().voters.filter((v) => v !== leader.id);
    if (voters.length === 0) return;
    const target = voters[this.#rngFault.int(voters.length)]!;
    try {
      leader.raw.transferLeader(target);
      this.#trace(`transfer leadership n${leader.id} -> n${target}`);
    } catch (err) {
      this.#trace(`transfer to n${target} refused: ${(err as Error).message}`);
    }
    this.#pump(leader);
  }

  #membership(): void {
    const leader = this.#leader();
    if (!leader?.raw) return;
    const conf = leader.raw.confState();
    const f = this.#rngFault;
    let change: { type: 'addVoter' | 'addLearner' | 'removeNode'; nodeId: NodeId } | undefined;
    if (conf.learners.length > 0) {
      const l = conf.learners[0]!;
      const pr = leader.raw.status().progress.get(l);
      if (pr && pr.match >= leader.raw.raft.log.committed) change = { type: 'addVoter', nodeId: l };
    } else if (conf.voters.length > this.#initial) {
      change = { type: 'removeNode', nodeId: conf.voters[f.int(conf.voters.length)]! };
    } else if (this.#nextId <= this.#initial + 4) {
      const id = String(this.#nextId++);
      const n = this.#addNode(id);
      this.#start(n);
      this.#trace(`n${id} started empty, to join as a learner`);
      change = { type: 'addLearner', nodeId: id };
    }
    if (!change) return;
    try {
      leader.raw.proposeConfChange({ changes: [change] });
      if (change.type === 'removeNode') this.#removing.add(change.nodeId);
      this.#trace(`membership: n${leader.id} proposes ${change.type}(${change.nodeId})`);
    } catch (err) {
      this.#trace(`membership change ${change.type}(${change.nodeId}) refused: ${(err as Error).message}`);
    }
    this.#pump(leader);
  }

  #forceSnapshot(): void {
    const up = [...this.#nodes.values()].filter((n) => n.raw && !n.busy);
    if (up.length === 0) return;
    const n = up[this.#rngFault.int(up.length)]!;
    this.#maybeSnapshot(n, true);
  }
}

function describeInput(i: RegisterInput): string {
  switch (i.kind) {
    case 'read':
      return `read(${i.key})`;
    case 'write':
      return `write(${i.key}, ${i.value})`;
    case 'cas':
      return `cas(${i.key}, ${String(i.from)} -> ${i.to})`;
  }
}

export function runSeed(opts: SimOptions): SimResult {
  return new Simulation(opts).run();
}
