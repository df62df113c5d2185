import { checkHistory, type Operation } from '../check/linearizability.js';
import { registerModel, type RegisterInput, type RegisterOutput } from '../check/register-model.js';
import { bootstrapEntries } from '../core/bootstrap.js';
import type { InjectedBug } from '../core/config.js';
import { SimClock, SimNetwork, Xoshiro128 } from '@concord/simkit';
import type { RawNode, Ready } from '../core/raw-node.js';
import { NONE, type Message, type NodeId } from '../core/types.js';
import { RaftNode } from '../driver/raft-node.js';
import { RaftError } from '../errors.js';
import { encodeCommand, RegisterMachine } from './register-machine.js';
import { SafetyChecker } from './safety-checker.js';
import { FaultInjector } from './faults.js';
import { Intruder } from './intruder.js';
import { SimDisk, type SimStaging } from './sim-disk.js';
import { SimNode, type Respond } from './sim-node.js';
import { exclusive, settle } from './settle.js';
import { SimTransport } from './sim-transport.js';
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
  /**
   * Now and then crash a leader just after it sent appends carrying new entries, while its own
   * write of those entries is still in progress (the leader writes in parallel with replicating),
   * and restart it a little later. Off by default, so that seeds replay as they always did.
   */
  readonly leaderCrashBeforeFsync?: boolean | undefined;
  /**
   * Snapshots taken the asynchronous way (the state machine's `snapshotPieces`): staging the data
   * takes 1 to 41 simulated ms beside the log writes, and now and then the node is crashed while
   * one is staged (then restarted from its disk). Off by default, so that seeds replay as they
   * always did.
   */
  readonly asyncSnapshots?: boolean | undefined;
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
    /** Leaders crashed after sending entries they had not yet written (`leaderCrashBeforeFsync`). */
    readonly leaderWritesLost: number;
    /** Nodes crashed while a snapshot of theirs was being staged (`asyncSnapshots`). */
    readonly crashesDuringSnapshot: number;
    /** Snapshots sent to a follower while the sender's own snapshot was being staged (`asyncSnapshots`). */
    readonly snapshotsSentDuringSnapshot: number;
  };
}

const TICK_MS = 10;
/**
 * With `leaderCrashBeforeFsync`, synced writes take 0.3 to 12.3 ms instead of 0.3 to 2.3 ms (a
 * disk shared with other writers): a leader's write then often outlasts a round trip to its
 * followers, the window in which it could count its own unwritten copy toward a commit.
 */
const SLOW_SYNC_SPREAD_MS = 12;
/** After healing, a new write must commit within this long: 10 maximal election timeouts. */
const LIVENESS_MS = 10 * 2 * 10 * TICK_MS;

/**
 * One whole-cluster run from one seed. Each server is the production driver, `RaftNode`, on
 * simulated timers, a simulated disk and a simulated transport. Every decision comes from the
 * seed and events run one at a time, each with the promise continuations it started, so a run
 * replays exactly.
 */
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
  readonly initial: number;
  #leaderTerms = new Set<number>();
  /** Draws for `leaderCrashBeforeFsync`; a fork of its own, so other decisions stay as they were. */
  readonly #rngLeaderCrash: Xoshiro128 | undefined;
  #leaderCrashPending = false;
  #leaderWritesLost = 0;
  /** Draws for `asyncSnapshots`; a fork of its own, made after every other, so other decisions stay as they were. */
  readonly #rngSnapshots: Xoshiro128 | undefined;
  #crashesDuringSnapshot = 0;
  #snapshotsSentDuringSnapshot = 0;
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
        ? new Intruder(this, rngIntruder, (what) => {
            this.#checker.now = this.q.now;
            this.#checker.violations.push(`t=${this.q.now.toFixed(1)}ms membership: ${what}`);
          })
        : undefined;
    this.#rngLeaderCrash = opts.leaderCrashBeforeFsync ? root.fork() : undefined;
    this.#rngSnapshots = opts.asyncSnapshots ? root.fork() : undefined;
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
    if (!n.node) return `n${n.id} down`;
    const s = n.node.status();
    return `n${n.id} ${s.role.padEnd(12)} term=${s.term} lead=${s.lead || '-'} commit=${s.commit} applied=${s.applied} last=${s.lastIndex} voters=(${s.conf.voters.join(',')}) learners=(${s.conf.learners.join(',')})`;
  }

  async run(): Promise<SimResult> {
    const duration = this.#opts.durationMs ?? 6000;
    const voters = Array.from({ length: this.initial }, (_, i) => String(i + 1));
    this.#trace(
      `seed ${this.#opts.seed}: ${this.initial} nodes, swarm ${JSON.stringify(this.swarm)}${this.#intruder ? ', intruder' : ''}, network ${JSON.stringify(this.net.faults)}${this.#opts.injectBug ? `, injected bug ${this.#opts.injectBug}` : ''}`,
    );
    for (const id of voters) {
      const n = this.#addNode(id);
      const b = bootstrapEntries(voters);
      n.platter.append(b.entries);
      n.platter.setHardState(b.hardState);
      // Processes start a little apart, so their tickers are not in step.
      this.q.schedule(n.rng.next() * TICK_MS, () => this.#start(n));
    }
    this.#workload.start();
    this.#faults.start();
    this.#intruder?.start();

    try {
      await this.#runUntil(duration);
      await this.#livenessPhase(duration);
    } catch (err) {
      this.#checker.now = this.q.now;
      this.#checker.violations.push(`t=${this.q.now.toFixed(1)}ms exception: ${err instanceof Error ? `${(err as RaftError).code ?? ''} ${err.message}` : String(err)}`);
    }
    this.#stopped = true;
    for (const n of this.#nodes.values()) n.timers?.cancelAll();
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
        leaderWritesLost: this.#leaderWritesLost,
        crashesDuringSnapshot: this.#crashesDuringSnapshot,
        snapshotsSentDuringSnapshot: this.#snapshotsSentDuringSnapshot,
        messages: this.net.sent,
        simulatedMs: Math.round(this.q.now),
        forged: this.#intruder?.sent ?? 0,
      },
    };
  }

  /** Run events up to `t`, each followed by the continuations it queued; stop at the first violation. */
  async #runUntil(t: number): Promise<void> {
    while (this.#checker.violations.length === 0 && this.q.runNext(t)) await settle();
  }

  async #livenessPhase(start: number): Promise<void> {
    if (this.#checker.violations.length > 0) return;
    this.#liveness = true;
    this.net.heal();
    this.net.faults = { ...this.net.faults, loss: 0, duplicate: 0 };
    for (const n of this.#nodes.values()) if (!n.up && !n.retired) this.#restart(n);
    this.#trace('liveness phase: network healed, every node restarted, faults off');
    const deadline = start + LIVENESS_MS;
    let committed = false;
    let proposedAt = -1;
    let waiting = false;
    while (!committed && this.q.now < deadline) {
      await this.#runUntil(this.q.now + 20);
      if (this.#checker.violations.length > 0) return;
      if (waiting && this.q.now - proposedAt <= 1000) continue;
      const leader = [...this.#nodes.values()].find((n) => n.node?.isLeader() && n.node.status().leadTransferee === NONE);
      if (!leader?.node) continue;
      waiting = true;
      proposedAt = this.q.now;
      const attempt = proposedAt;
      leader.node.propose(encodeCommand({ op: 'write', key: 'liveness', value: 1 })).then(
        () => {
          committed = true;
        },
        () => {
          // not leader any more, or the entry lost its index: try again
          if (proposedAt === attempt) waiting = false;
        },
      );
    }
    if (!committed) {
      this.#checker.now = this.q.now;
      this.#checker.violations.push(`t=${this.q.now.toFixed(1)}ms liveness: no write committed within ${LIVENESS_MS}ms after healing`);
      for (const n of this.#nodes.values()) {
        this.#checker.violations.push(`  ${this.#nodeStatus(n)}`);
        for (const [id, p] of n.node?.status().progress ?? []) {
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
    return n;
  }

  /** Start the node's process: a RaftNode over its disk, on fresh timers and a fresh transport. */
  #start(n: SimNode): void {
    if (this.#stopped || n.retired) return;
    n.incarnation++;
    n.up = true;
    this.net.restart(n.id);
    const timers = this.q.timers();
    const transport = new SimTransport(this.net, (m) => this.#deliver(m));
    const sm = new RegisterMachine(this.#rngSnapshots !== undefined);
    n.timers = timers;
    n.transport = transport;
    n.sm = sm;
    const snap = n.platter.snapshot();
    n.applied = snap.meta.index;
    n.checkedCommit = snap.meta.index;
    n.lastRole = 'follower';
    const inc = n.incarnation;
    const disk = new SimDisk(
      n.platter,
      timers,
      this.#rngDisk,
      {
        persisted: (entries, termAt) => {
          this.#checker.now = this.q.now;
          this.#checker.onPersist(n.id, entries, termAt);
        },
        hardState: (hs) => {
          this.#checker.now = this.q.now;
          this.#checker.onHardState(n.id, hs);
        },
      },
      this.#rngLeaderCrash ? SLOW_SYNC_SPREAD_MS : undefined,
      this.#staging(n),
    );
    RaftNode.start<boolean>({
      id: n.id,
      storage: disk,
      transport,
      stateMachine: sm,
      tickMs: TICK_MS,
      raft: {
        electionTick: 10,
        heartbeatTick: 1,
        preVote: true,
        checkQuorum: true,
        maxInflightMsgs: this.swarm.maxInflight,
        maxSizePerMsg: this.swarm.maxSizePerMsg,
      },
      snapshotThreshold: this.swarm.snapshotEvery,
      trailingLogs: n.rng.int(5),
      prng: n.rng.fork(),
      timers,
      testing: {
        inspectReady: (rd, core) => this.#inspect(n, rd, core),
        ...(this.#opts.injectBug === undefined ? {} : { injectBug: this.#opts.injectBug }),
      },
    }).then(
      (node) => {
        if (n.incarnation === inc && n.up) n.node = node;
      },
      (err: unknown) => {
        this.#checker.violations.push(`t=${this.q.now.toFixed(1)}ms n${n.id} failed to start: ${String(err)}`);
      },
    );
  }

  /** The process dies at once: its timers (ticker, disk writes in progress) and its transport go with it. */
  #crash(n: SimNode): void {
    n.timers?.cancelAll();
    void n.transport?.close();
    n.node = undefined;
    n.up = false;
    n.timers = undefined;
    n.transport = undefined;
    this.net.crash(n.id);
    this.#trace(`crash n${n.id} (unsynced writes lost)`);
  }

  /**
   * With `asyncSnapshots`: staging takes 1 to 41 ms, and one staging in four is cut short by a
   * crash at a random moment within it (the node restarts 20 to 220 ms later from its disk, which
   * must still hold the previous snapshot and the whole log).
   */
  #staging(n: SimNode): SimStaging | undefined {
    const rng = this.#rngSnapshots;
    if (!rng) return undefined;
    return {
      latencyMs: () => 1 + rng.next() * 40,
      started: (meta, ms) => {
        if (!this.faultsActive() || rng.next() >= 0.25) return;
        const inc = n.incarnation;
        const before = n.platter.snapshot().meta.index;
        this.q.schedule(rng.next() * ms, () => {
          if (!n.up || n.incarnation !== inc || this.#stopped || n.node?.snapshotInProgress()?.index !== meta.index) return;
          this.#crashesDuringSnapshot++;
          this.#crash(n);
          this.#trace(`n${n.id} crashed while staging its snapshot at ${meta.index} (stored snapshot at ${before})`);
          this.q.schedule(20 + rng.next() * 200, () => {
            if (!n.up && !n.retired && !this.#stopped) this.#restart(n);
          });
        });
      },
    };
  }

  #restart(n: SimNode): void {
    this.#start(n);
    this.#trace(`restart n${n.id} from disk`);
  }

  #deliver(m: Message): void {
    this.#nodes.get(m.to)?.transport?.handler?.onMessage(m);
  }

  /**
   * Checks every Ready a node takes before it is applied: each committed entry is applied in
   * order and only if committed, committed entries never change, and a new leader holds every
   * committed entry.
   */
  #inspect(n: SimNode, rd: Ready, raw: RawNode): void {
    const chk = this.#checker;
    chk.now = this.q.now;
    if (rd.snapshot) {
      n.applied = rd.snapshot.meta.index;
      n.checkedCommit = Math.max(n.checkedCommit, rd.snapshot.meta.index);
      this.#trace(`n${n.id} installs snapshot at ${rd.snapshot.meta.index}`);
    }
    const commit = raw.raft.log.committed;
    for (const e of rd.committedEntries) {
      chk.onApply(n.id, e, commit, n.applied);
      n.applied = e.index;
    }
    if (commit > n.checkedCommit) {
      if (raw.raft.role === 'leader') this.#checkDurableQuorum(n, raw, commit);
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
      if (rd.softState.role !== n.lastRole) this.#trace(`n${n.id} ${rd.softState.role} term=${raw.raft.term} lead=${rd.softState.lead || '-'} commit=${commit}`);
      n.lastRole = rd.softState.role;
    }
    if (raw.raft.role === 'leader' && this.#removing.size > 0) this.#retireRemoved(raw);
    if (raw.raft.role === 'leader' && rd.entries.length > 0) this.#maybeCrashBeforeFsync(n, rd.entries[rd.entries.length - 1]!.index);
    if (n.node?.snapshotInProgress() && rd.messages.some((m) => m.type === 'snap')) this.#snapshotsSentDuringSnapshot++;
  }

  /**
   * The leader is about to send appends for entries up to `last` and queue its own write of
   * them: crash it at a random moment within the next 8 ms, which is often after followers
   * acknowledged the entries and before its own (slow) write of them completed, then restart it
   * from what its disk holds.
   */
  #maybeCrashBeforeFsync(n: SimNode, last: number): void {
    const rng = this.#rngLeaderCrash;
    if (!rng || this.#leaderCrashPending || !this.faultsActive() || rng.next() >= 0.05) return;
    this.#leaderCrashPending = true;
    const inc = n.incarnation;
    this.q.schedule(0.01 + rng.next() * 8, () => {
      this.#leaderCrashPending = false;
      if (!n.up || n.incarnation !== inc || this.#stopped) return;
      const lost = n.platter.lastIndex() < last;
      if (lost) this.#leaderWritesLost++;
      this.#crash(n);
      this.#trace(`n${n.id} was the leader: crashed after sending entries up to ${last}${lost ? ', before its own write of them completed' : ''}`);
      this.q.schedule(20 + rng.next() * 200, () => {
        if (!n.up && !n.retired && !this.#stopped) this.#restart(n);
      });
    });
  }

  /**
   * A leader's commit index covers only entries on the disks of a quorum of its voters: its own
   * copy counts once written, not when it was sent (the leader writes in parallel with sending).
   */
  #checkDurableQuorum(n: SimNode, raw: RawNode, commit: number): void {
    const term = raw.raft.log.term(commit);
    const voters = raw.confState().voters;
    const onDisk = voters.filter((id) => {
      const p = this.#nodes.get(id)?.platter;
      if (!p) return false;
      if (p.snapshot().meta.index >= commit) return true;
      try {
        return commit <= p.lastIndex() && p.term(commit) === term;
      } catch {
        return false;
      }
    });
    if (onDisk.length * 2 <= voters.length) {
      this.#checker.violations.push(
        `t=${this.q.now.toFixed(1)}ms durability: leader n${n.id} committed index ${commit} (term ${term}) while only (${onDisk.join(',')}) of voters (${voters.join(',')}) had it on disk`,
      );
    }
  }

  #retireRemoved(leader: RawNode): void {
    const conf = leader.confState();
    for (const id of [...this.#removing]) {
      if (conf.voters.includes(id) || conf.learners.includes(id)) continue;
      this.#removing.delete(id);
      this.q.schedule(300, () => {
        const n = this.#nodes.get(id);
        if (!n || n.retired) return;
        if (n.up) this.#crash(n);
        n.retired = true;
        this.#trace(`n${id} retired after its removal`);
      });
    }
  }

  /** A client request through the node's public API, as the agent makes it. */
  #serve(n: SimNode, input: RegisterInput, respond: Respond): void {
    const node = n.node;
    if (!node) return;
    const hint = (): NodeId => node.leader;
    if (input.kind === 'read') {
      const sm = n.sm;
      node.readIndex().then(
        () => respond({ ok: true, value: sm.read(input.key) }),
        () => respond({ ok: false, hint: hint() }),
      );
      return;
    }
    const cmd =
      input.kind === 'write' ? encodeCommand({ op: 'write', key: input.key, value: input.value }) : encodeCommand({ op: 'cas', key: input.key, from: input.from, to: input.to });
    node.propose(cmd).then(
      ({ result }) => respond({ ok: true, value: result }),
      (err: unknown) => {
        // An entry replaced by a snapshot has an unknown outcome: the client times out.
        if (err instanceof RaftError && err.code === 'RAFT_PROPOSAL_UNKNOWN') return;
        respond({ ok: false, hint: hint() });
      },
    );
  }
}

export function runSeed(opts: SimOptions): Promise<SimResult> {
  return exclusive(() => new Simulation(opts).run());
}
