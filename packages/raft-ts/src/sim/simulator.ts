import { checkHistory, type Operation } from '../check/linearizability.js';
import { registerModel, type RegisterInput, type RegisterOutput } from '../check/register-model.js';
import { bootstrapEntries } from '../core/bootstrap.js';
import type { InjectedBug } from '../core/config.js';
import { SimClock, SimNetwork, Xoshiro128 } from '@concord/simkit';
import { RawNode, type Ready } from '../core/raw-node.js';
import { NONE, type Message, type NodeId } from '../core/types.js';
import { RaftError } from '../errors.js';
import { encodeCommand, RegisterMachine } from './register-machine.js';
import { SafetyChecker } from './safety-checker.js';
import { FaultInjector } from './faults.js';
import { Intruder } from './intruder.js';
import { SimNode, type Respond } from './sim-node.js';
import { Workload } from './workload.js';
import type { SimWorld, Swarm } from './world.js';

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
    /** Forged messages the intruder sent (0 when the seed has no intruder). */
    readonly forged: number;
  };
}

const TICK_MS = 10;
/** After healing, a new write must commit within this long: 10 maximal election timeouts. */
const LIVENESS_MS = 10 * 2 * 10 * TICK_MS;
/** Writes a node may have in flight at once (the driver's default). */
const MAX_PIPELINED_WRITES = 4;

/** One whole-cluster run from one seed. Every decision comes from the seed, so a run replays exactly. */
export class Simulation implements SimWorld {
  readonly #opts: SimOptions;
  readonly q = new SimClock();
  readonly net: SimNetwork;
  readonly #checker = new SafetyChecker();
  readonly #nodes = new Map<NodeId, SimNode>();
  readonly #workload: Workload;
  readonly #faults: FaultInjector;
  readonly #intruder: Intruder | undefined;
  readonly #rngNodes: Xoshiro128;
  readonly #rngDisk: Xoshiro128;
  readonly swarm: Swarm;
  readonly #removing = new Set<NodeId>();
  readonly #early = new WeakSet<Message>();
  readonly initial: number;
  #leaderTerms = new Set<number>();
  #liveness = false;
  #stopped = false;

  constructor(opts: SimOptions) {
    this.#opts = opts;
    const root = new Xoshiro128(opts.seed);
    const rngNet = root.fork();
    this.#rngDisk = root.fork();
    const rngWork = root.fork();
    const f = root.fork();
    this.#rngNodes = root.fork();
    this.initial = opts.nodes ?? (f.next() < 0.5 ? 3 : 5);
    this.swarm = {
      crashes: f.next() < 0.7,
      partitions: f.next() < 0.8,
      transfers: f.next() < 0.5,
      membership: f.next() < 0.5,
      snapshotEvery: [8, 30, 100][f.int(3)]!,
      faultEveryMs: 100 + f.int(400),
      maxInflight: [1, 4, 64][f.int(3)]!,
      maxSizePerMsg: [200, 4096][f.int(2)]!,
    };
    this.net = new SimNetwork(this.q, rngNet, {
      loss: [0, 0.01, 0.05, 0.15][f.int(4)]!,
      duplicate: [0, 0.02, 0.1][f.int(3)]!,
      latencyMs: 1 + f.int(3),
      jitterMs: [1, 5, 20][f.int(3)]!,
    });
    this.#workload = new Workload(this, rngWork);
    this.#faults = new FaultInjector(this, f);
    // Drawn from a fork made after all others, so seeds replay as they did before the intruder.
    const rngIntruder = root.fork();
    this.#intruder =
      rngIntruder.next() < 0.5
        ? new Intruder(
            this,
            rngIntruder,
            (n, m) => n.raw?.step(m),
            (what) => {
              this.#checker.now = this.q.now;
              this.#checker.violations.push(`t=${this.q.now.toFixed(1)}ms membership: ${what}`);
            },
          )
        : undefined;
  }

  get nodes(): ReadonlyMap<NodeId, SimNode> {
    return this.#nodes;
  }

  faultsActive(): boolean {
    return !this.#liveness && !this.#stopped;
  }

  trace(line: string): void {
    this.#trace(line);
  }

  crash(n: SimNode): void {
    this.#crash(n);
  }

  restart(n: SimNode): void {
    this.#restart(n);
  }

  join(id: NodeId): SimNode {
    const n = this.#addNode(id);
    this.#start(n);
    this.#trace(`n${id} started empty, to join as a learner`);
    return n;
  }

  pump(n: SimNode): void {
    this.#pump(n);
  }

  snapshotNow(n: SimNode): void {
    this.#maybeSnapshot(n, true);
  }

  markRemoving(id: NodeId): void {
    this.#removing.add(id);
  }

  serve(n: SimNode, input: RegisterInput, respond: Respond): void {
    this.#serve(n, input, respond);
  }

  #trace(line: string): void {
    this.#opts.trace?.(`[${this.q.now.toFixed(1).padStart(8)}ms] ${line}`);
  }

  #nodeStatus(n: SimNode): string {
    if (!n.raw) return `n${n.id} down`;
    const s = n.raw.status();
    return `n${n.id} ${s.role.padEnd(12)} term=${s.term} lead=${s.lead || '-'} commit=${s.commit} applied=${s.applied} last=${s.lastIndex} voters=(${s.conf.voters.join(',')}) learners=(${s.conf.learners.join(',')})`;
  }

  run(): SimResult {
    const duration = this.#opts.durationMs ?? 6000;
    const voters = Array.from({ length: this.initial }, (_, i) => String(i + 1));
    this.#trace(`seed ${this.#opts.seed}: ${this.initial} nodes, swarm ${JSON.stringify(this.swarm)}${this.#intruder ? ', intruder' : ''}, network ${JSON.stringify(this.net.faults)}${this.#opts.injectBug ? `, injected bug ${this.#opts.injectBug}` : ''}`);
    for (const id of voters) {
      const n = this.#addNode(id);
      const b = bootstrapEntries(voters);
      n.storage.append(b.entries);
      n.storage.setHardState(b.hardState);
      this.#start(n);
    }
    this.#workload.start();
    this.#faults.start();
    this.#intruder?.start();

    try {
      this.#runUntil(duration);
      this.#livenessPhase(duration);
    } catch (err) {
      this.#checker.now = this.q.now;
      this.#checker.violations.push(`t=${this.q.now.toFixed(1)}ms exception: ${err instanceof Error ? `${(err as RaftError).code ?? ''} ${err.message}` : String(err)}`);
    }
    this.#stopped = true;
    this.#workload.finish();
    const history = this.#workload.history;

    const report = checkHistory(registerModel, history, 2_000_000);
    if (report.result === 'illegal') {
      this.#checker.violations.push(`linearizability: history of register(s) ${report.failedPartitions.join(',')} is not linearizable`);
    } else if (report.result === 'unknown') {
      this.#trace(`linearizability check ran out of budget on ${report.failedPartitions.join(',')}`);
    }
    for (const n of this.#nodes.values()) this.#trace(this.#nodeStatus(n));
    return {
      seed: this.#opts.seed,
      violations: this.#checker.violations,
      history,
      stats: {
        nodes: this.#nodes.size,
        ops: history.length,
        unknown: this.#workload.unknown,
        leaders: this.#leaderTerms.size,
        messages: this.net.sent,
        simulatedMs: Math.round(this.q.now),
        forged: this.#intruder?.sent ?? 0,
      },
    };
  }

  #runUntil(t: number): void {
    while (this.#checker.violations.length === 0 && this.q.runNext(t)) {
      // events run synchronously
    }
  }

  #livenessPhase(start: number): void {
    if (this.#checker.violations.length > 0) return;
    this.#liveness = true;
    this.net.heal();
    this.net.faults = { ...this.net.faults, loss: 0, duplicate: 0 };
    for (const n of this.#nodes.values()) if (!n.raw && !n.retired) this.#restart(n);
    this.#trace('liveness phase: network healed, every node restarted, faults off');
    const deadline = start + LIVENESS_MS;
    let committed = false;
    let proposedAt = -1;
    let target: { node: SimNode; index: number; term: number } | undefined;
    while (!committed && this.q.now < deadline) {
      this.#runUntil(this.q.now + 20);
      if (this.#checker.violations.length > 0) return;
      if (target) {
        const n = target.node;
        if (n.raw && n.applied >= target.index && n.raw.raft.log.term(target.index) === target.term) committed = true;
        else if (this.q.now - proposedAt > 1000) target = undefined;
        continue;
      }
      const leader = [...this.#nodes.values()].find((n) => n.raw?.raft.role === 'leader' && n.raw.raft.leadTransferee === NONE);
      if (!leader?.raw) continue;
      try {
        const r = leader.raw.propose([encodeCommand({ op: 'write', key: 'liveness', value: 1 })]);
        target = { node: leader, index: r.index, term: r.term };
        proposedAt = this.q.now;
        this.#pump(leader);
      } catch {
        // not leader any more; try again
      }
    }
    if (!committed) {
      this.#checker.now = this.q.now;
      this.#checker.violations.push(`t=${this.q.now.toFixed(1)}ms liveness: no write committed within ${LIVENESS_MS}ms after healing`);
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
      this.q.schedule(TICK_MS, tick);
    };
    this.q.schedule(offset, tick);
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
        maxInflightMsgs: this.swarm.maxInflight,
        maxSizePerMsg: this.swarm.maxSizePerMsg,
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
    n.pendingWrites = 0;
    n.lastWriteDoneAt = 0;
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

  #send(m: Message): void {
    this.net.send(m.from, m.to, () => this.#deliver(m));
  }

  #deliver(m: Message): void {
    const n = this.#nodes.get(m.to);
    if (!n?.raw) return;
    n.raw.step(m);
    this.#pump(n);
  }

  /**
   * The driver's procedure, pipelined as RaftNode does it: take a Ready, let a leader send its
   * appends at once, apply committed entries, queue the write; when the write completes (writes
   * complete in order), persist, send the other messages and advanceStable.
   */
  #pump(n: SimNode): void {
    const raw = n.raw;
    if (!raw || this.#stopped) return;
    while (n.raw === raw && n.pendingWrites < MAX_PIPELINED_WRITES && raw.hasReady()) {
      const rd = raw.ready();
      const inc = n.incarnation;
      if (raw.raft.role === 'leader') {
        for (const m of rd.messages) {
          if (m.type !== 'app' && m.type !== 'heartbeat') continue;
          this.#early.add(m);
          this.#send(m);
        }
      }
      this.#applyReady(n, rd);
      raw.advanceApplied(rd);
      const writes = rd.entries.length > 0 || rd.hardState !== undefined || rd.snapshot !== undefined;
      const latency = !writes ? 0 : rd.mustSync ? 0.3 + this.#rngDisk.next() * 2 : 0.05;
      const doneAt = Math.max(this.q.now + latency, n.lastWriteDoneAt);
      n.lastWriteDoneAt = doneAt;
      n.pendingWrites++;
      this.q.schedule(doneAt - this.q.now, () => {
        if (n.incarnation === inc && n.raw === raw) this.#persisted(n, rd);
      });
    }
  }

  /** Apply a Ready's snapshot and committed entries, answer clients, record what the checker needs. */
  #applyReady(n: SimNode, rd: Ready): void {
    const raw = n.raw!;
    const chk = this.#checker;
    chk.now = this.q.now;
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
  }

  /** A Ready's write completed: make it durable, send what waited for it, advanceStable. */
  #persisted(n: SimNode, rd: Ready): void {
    const raw = n.raw!;
    const chk = this.#checker;
    chk.now = this.q.now;
    n.pendingWrites--;
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
        this.net.send(m.from, m.to, () => this.#deliver(m), (ok) => {
          const s = this.#nodes.get(m.from);
          if (s?.raw) {
            s.raw.reportSnapshot(m.to, ok);
            this.#pump(s);
          }
        });
      } else {
        this.#send(m);
      }
    }
    raw.advanceStable(rd);
    if (rd.committedEntries.length > 0 && raw.raft.role === 'leader') this.#retireRemoved(raw);
    this.#maybeSnapshot(n, false);
    this.#pump(n);
  }

  #maybeSnapshot(n: SimNode, force: boolean): void {
    const raw = n.raw;
    if (!raw) return;
    const snapIndex = n.storage.snapshot().meta.index;
    if (n.applied <= snapIndex) return;
    if (!force && n.applied - snapIndex < this.swarm.snapshotEvery) return;
    if (n.applied > n.storage.lastIndex()) return;
    n.storage.createSnapshot(n.applied, raw.confState(), n.sm.snapshot());
    n.storage.compact(Math.max(n.storage.firstIndex() - 1, n.applied - n.rng.int(5)));
  }

  #retireRemoved(leader: RawNode): void {
    const conf = leader.confState();
    for (const id of [...this.#removing]) {
      if (conf.voters.includes(id) || conf.learners.includes(id)) continue;
      this.#removing.delete(id);
      this.q.schedule(300, () => {
        const n = this.#nodes.get(id);
        if (!n || n.retired) return;
        if (n.raw) this.#crash(n);
        n.retired = true;
        this.#trace(`n${id} retired after its removal`);
      });
    }
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
}

export function runSeed(opts: SimOptions): SimResult {
  return new Simulation(opts).run();
}
