import type { Operation } from '../check/linearizability.js';
import type { RegisterInput, RegisterOutput } from '../check/register-model.js';
import type { Xoshiro128 } from '@concord/simkit';
import type { Respond } from './sim-node.js';
import type { SimWorld } from './world.js';

const CLIENT_TIMEOUT_MS = 400;

/**
 * Clients doing reads, writes and compare-and-set on three registers, one operation at a time
 * each, recorded as call/return events in simulated time. A timeout is an unknown outcome.
 */
export class Workload {
  readonly #world: SimWorld;
  readonly #rng: Xoshiro128;
  readonly history: Operation<RegisterInput, RegisterOutput>[] = [];
  unknown = 0;
  /** Client operations still waiting for an answer; at the end their outcome is unknown. */
  readonly #inflight = new Map<number, { clientId: number; input: RegisterInput; call: number }>();
  readonly #lastSeen = new Map<string, number | null>();
  #opSeq = 0;
  #valueSeq = 0;

  constructor(world: SimWorld, rng: Xoshiro128) {
    this.#world = world;
    this.#rng = rng;
  }

  start(): void {
    const clients = 2 + this.#rng.int(3);
    for (let c = 0; c < clients; c++) this.#world.q.schedule(this.#rng.int(50), () => this.#clientLoop(c));
  }

  /** End of run: operations still in flight have unknown outcomes (reads are simply dropped). */
  finish(): void {
    for (const op of this.#inflight.values()) {
      if (op.input.kind === 'read') continue;
      this.unknown++;
      this.history.push({ clientId: op.clientId, input: op.input, output: undefined, call: op.call, ret: Infinity });
    }
    this.#inflight.clear();
  }

  #clientLoop(clientId: number): void {
    if (!this.#world.faultsActive()) return;
    const rng = this.#rng;
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
    const live = [...this.#world.nodes.values()].filter((n) => !n.retired);
    const leaders = live.filter((n) => n.node?.isLeader());
    const target = input.kind === 'read' && rng.next() < 0.5 ? live[rng.int(live.length)]! : (leaders[rng.int(leaders.length)] ?? live[rng.int(live.length)]!);
    const call = this.#world.q.now;
    const opId = ++this.#opSeq;
    this.#inflight.set(opId, { clientId, input, call });
    let finished = false;
    const next = (): void => {
      this.#world.q.schedule(rng.int(20), () => this.#clientLoop(clientId));
    };
    const respond: Respond = (res) => {
      this.#world.q.schedule(0.5 + rng.next(), () => {
        if (finished) return;
        finished = true;
        this.#inflight.delete(opId);
        if (res.ok) {
          this.history.push({ clientId, input, output: res.value, call, ret: this.#world.q.now });
          if (input.kind === 'read') this.#lastSeen.set(input.key, res.value as number | null);
          else if (input.kind === 'write' || res.value === true) this.#lastSeen.set(input.key, input.kind === 'write' ? input.value : input.to);
          this.#world.trace(`client ${clientId} ${describeInput(input)} -> ${String(res.value)} (n${target.id})`);
        }
        next();
      });
    };
    this.#world.q.schedule(CLIENT_TIMEOUT_MS, () => {
      if (finished) return;
      finished = true;
      this.#inflight.delete(opId);
      if (input.kind !== 'read') {
        this.unknown++;
        this.history.push({ clientId, input, output: undefined, call, ret: Infinity });
        this.#world.trace(`client ${clientId} ${describeInput(input)} timed out (outcome unknown)`);
      }
      next();
    });
    this.#world.q.schedule(0.5 + rng.next(), () => this.#world.serve(target, input, respond));
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
