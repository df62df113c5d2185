import type { Xoshiro128 } from '@concord/simkit';
import type { NodeId } from '../core/types.js';
import type { SimNode } from './sim-node.js';
import type { SimWorld } from './world.js';

/**
 * Injects faults at random intervals, among those the seed enabled: partitions (isolation,
 * one-way, bridge, split) and healing, crashes and restarts, leadership transfers, membership
 * changes (add a learner, promote it, remove a voter) and forced snapshots.
 */
export class FaultInjector {
  readonly #world: SimWorld;
  readonly #rng: Xoshiro128;
  #nextId: number;

  constructor(world: SimWorld, rng: Xoshiro128) {
    this.#world = world;
    this.#rng = rng;
    this.#nextId = world.initial + 1;
  }

  start(): void {
    this.#world.q.schedule(this.#world.swarm.faultEveryMs, () => this.#faultLoop());
  }

  #faultLoop(): void {
    if (!this.#world.faultsActive()) return;
    const f = this.#rng;
    const s = this.#world.swarm;
    const actions: (() => void)[] = [];
    if (s.partitions)
      actions.push(
        () => this.#partition(),
        () => this.#partition(),
        () => this.#heal(),
      );
    if (s.crashes)
      actions.push(
        () => this.#crashOrRestart(),
        () => this.#crashOrRestart(),
      );
    if (s.transfers) actions.push(() => this.#transfer());
    if (s.membership) actions.push(() => this.#membership());
    actions.push(() => this.#forceSnapshot());
    actions[f.int(actions.length)]!();
    this.#world.q.schedule(s.faultEveryMs * (0.5 + f.next()), () => this.#faultLoop());
  }

  #liveIds(): NodeId[] {
    return [...this.#world.nodes.values()].filter((n) => !n.retired).map((n) => n.id);
  }

  #partition(): void {
    const f = this.#rng;
    const ids = this.#liveIds();
    const kind = f.int(4);
    this.#world.net.heal();
    if (kind === 0) {
      const a = ids[f.int(ids.length)]!;
      for (const b of ids) if (b !== a) this.#world.net.block(a, b), this.#world.net.block(b, a);
      this.#world.trace(`partition: isolate n${a}`);
    } else if (kind === 1) {
      const a = ids[f.int(ids.length)]!;
      const others = ids.filter((x) => x !== a);
      const b = others[f.int(others.length)]!;
      this.#world.net.block(a, b);
      this.#world.trace(`partition: one-way n${a} -x-> n${b}`);
    } else if (kind === 2 && ids.length >= 3) {
      const bridge = ids[f.int(ids.length)]!;
      const rest = ids.filter((x) => x !== bridge);
      const left = rest.filter(() => f.next() < 0.5);
      const right = rest.filter((x) => !left.includes(x));
      for (const a of left) for (const b of right) this.#world.net.block(a, b), this.#world.net.block(b, a);
      this.#world.trace(`partition: bridge n${bridge} between (${left.join(',')}) and (${right.join(',')})`);
    } else {
      const left = ids.filter(() => f.next() < 0.5);
      const right = ids.filter((x) => !left.includes(x));
      for (const a of left) for (const b of right) this.#world.net.block(a, b), this.#world.net.block(b, a);
      this.#world.trace(`partition: split (${left.join(',')}) | (${right.join(',')})`);
    }
  }

  #heal(): void {
    this.#world.net.heal();
    this.#world.trace('partition: healed');
  }

  #crashOrRestart(): void {
    const f = this.#rng;
    const nodes = [...this.#world.nodes.values()].filter((n) => !n.retired);
    const down = nodes.filter((n) => !n.up);
    if (down.length > 0 && f.next() < 0.6) {
      this.#world.restart(down[f.int(down.length)]!);
      return;
    }
    const up = nodes.filter((n) => n.up);
    if (up.length === 0) return;
    // Prefer the leader now and then: that is where the interesting bugs hide.
    const leader = up.find((n) => n.node?.isLeader());
    const victim = leader && f.next() < 0.4 ? leader : up[f.int(up.length)]!;
    this.#world.crash(victim);
  }

  #leader(): SimNode | undefined {
    return [...this.#world.nodes.values()].find((n) => n.node?.isLeader());
  }

  #transfer(): void {
    const node = this.#leader()?.node;
    if (!node) return;
    const voters = node.status().conf.voters.filter((v) => v !== node.id);
    if (voters.length === 0) return;
    const target = voters[this.#rng.int(voters.length)]!;
    this.#world.trace(`transfer leadership n${node.id} -> n${target}`);
    node.transferLeadership(target).catch((err: unknown) => this.#world.trace(`transfer to n${target} failed: ${(err as Error).message}`));
  }

  #membership(): void {
    const node = this.#leader()?.node;
    if (!node) return;
    const status = node.status();
    const conf = status.conf;
    const f = this.#rng;
    let change: { type: 'addVoter' | 'addLearner' | 'removeNode'; nodeId: NodeId } | undefined;
    if (conf.learners.length > 0) {
      const l = conf.learners[0]!;
      const pr = status.progress.get(l);
      if (pr && pr.match >= status.commit) change = { type: 'addVoter', nodeId: l };
    } else if (conf.voters.length > this.#world.initial) {
      change = { type: 'removeNode', nodeId: conf.voters[f.int(conf.voters.length)]! };
    } else if (this.#nextId <= this.#world.initial + 4) {
      const id = String(this.#nextId++);
      this.#world.join(id);
      change = { type: 'addLearner', nodeId: id };
    }
    if (!change) return;
    const { type, nodeId } = change;
    const proposed = type === 'addVoter' ? node.addVoter(nodeId) : type === 'addLearner' ? node.addLearner(nodeId) : node.removeServer(nodeId);
    if (type === 'removeNode') this.#world.markRemoving(nodeId);
    this.#world.trace(`membership: n${node.id} proposes ${type}(${nodeId})`);
    proposed.catch((err: unknown) => this.#world.trace(`membership change ${type}(${nodeId}) failed: ${(err as Error).message}`));
  }

  #forceSnapshot(): void {
    const up = [...this.#world.nodes.values()].filter((n) => n.up);
    if (up.length === 0) return;
    const n = up[this.#rng.int(up.length)]!;
    void n.node?.snapshotNow();
  }
}
