import type { Prng } from './prng.js';
import type { SimClock } from './sim-clock.js';

/** What the network does to each datagram. All may be changed while a simulation runs. */
export interface LinkFaults {
  /** Probability that a datagram is lost. */
  readonly loss: number;
  /** Probability that a datagram is delivered twice. */
  readonly duplicate: number;
  /** Least one-way delay in ms. */
  readonly latencyMs: number;
  /** Uniform extra delay in ms on top of `latencyMs` (it reorders datagrams). */
  readonly jitterMs: number;
}

export interface SimNetworkOptions extends Partial<LinkFaults> {
  /** Extra one-way delay between two hosts, e.g. across datacenters. Default none. */
  readonly extraLatencyMs?: (from: string, to: string) => number;
}

/** A TCP segment lost on a lossy link costs about one retransmission timeout. */
const STREAM_RETRANSMIT_MS = 1000;

/**
 * A simulated network between named hosts, on a `SimClock`, every decision drawn from one `Prng`:
 * per-datagram delay, jitter, loss and duplication; directed link cuts and partitions into groups;
 * extra loss towards one host; hosts that crash (send and receive nothing) and restart.
 */
export class SimNetwork {
  readonly #clock: SimClock;
  readonly #rng: Prng;
  readonly #extraLatency: ((from: string, to: string) => number) | undefined;
  readonly #blocked = new Set<string>();
  #groupOf = new Map<string, number>();
  readonly #inboundLoss = new Map<string, number>();
  readonly #down = new Set<string>();
  faults: LinkFaults;
  /** Datagrams handed to the network, and those it lost or could not deliver. */
  sent = 0;
  dropped = 0;

  constructor(clock: SimClock, rng: Prng, opts: SimNetworkOptions = {}) {
    this.#clock = clock;
    this.#rng = rng;
    this.#extraLatency = opts.extraLatencyMs;
    this.faults = { loss: opts.loss ?? 0, duplicate: opts.duplicate ?? 0, latencyMs: opts.latencyMs ?? 1, jitterMs: opts.jitterMs ?? 0 };
  }

  // ---- reachability ----------------------------------------------------------------------

  /** Whether `from` can reach `to` now: both up, the direction not cut, the same partition group. */
  linkUp(from: string, to: string): boolean {
    if (this.#down.has(from) || this.#down.has(to)) return false;
    if (this.#blocked.has(`${from}>${to}`)) return false;
    return (this.#groupOf.get(from) ?? 0) === (this.#groupOf.get(to) ?? 0);
  }

  /** Cut the direction `from` → `to` (the other direction is untouched). */
  block(from: string, to: string): void {
    this.#blocked.add(`${from}>${to}`);
  }

  /** Split the hosts into groups that cannot reach each other; hosts named in no group share one. */
  partition(groups: readonly (readonly string[])[]): void {
    this.#groupOf = new Map();
    groups.forEach((g, i) => {
      for (const name of g) this.#groupOf.set(name, i + 1);
    });
  }

  /** Remove every cut and partition (crashed hosts stay down). */
  heal(): void {
    this.#blocked.clear();
    this.#groupOf = new Map();
  }

  /** The directed cuts, for traces. */
  describePartitions(): string {
    return [...this.#blocked].sort().join(' ') || 'none';
  }

  /** Lose this share of the datagrams sent to `name` (a saturated NIC, a starved process); 0 ends it. */
  degrade(name: string, inboundLoss: number): void {
    if (inboundLoss <= 0) this.#inboundLoss.delete(name);
    else this.#inboundLoss.set(name, inboundLoss);
  }

  // ---- crashes ---------------------------------------------------------------------------

  /** The host stops: nothing it sends leaves, nothing in flight to it arrives. */
  crash(name: string): void {
    this.#down.add(name);
  }

  restart(name: string): void {
    this.#down.delete(name);
  }

  isUp(name: string): boolean {
    return !this.#down.has(name);
  }

  // ---- delays ----------------------------------------------------------------------------

  /** One datagram's one-way delay from `from` to `to`. */
  latency(from: string, to: string): number {
    const f = this.faults;
    return f.latencyMs + this.#rng.next() * f.jitterMs + (this.#extraLatency?.(from, to) ?? 0);
  }

  /**
   * One step of a stream exchange (TCP): never lost, but each segment the link loses costs a
   * retransmission, so streams are slow rather than lossy on a lossy network.
   */
  streamLatency(from: string, to: string): number {
    let d = this.latency(from, to);
    while (this.faults.loss > 0 && this.#rng.next() < this.faults.loss) d += STREAM_RETRANSMIT_MS;
    return d;
  }

  // ---- datagrams -------------------------------------------------------------------------

  /**
   * Send one datagram. `deliver` runs at the receiver after the delay, unless the datagram is lost,
   * the link is down when it is sent or arrives, or a host crashed meanwhile; it may run twice
   * (duplication). `onOutcome`, when given, learns whether the first copy arrived, as a transport
   * reports a stream's outcome to its sender (a loss is reported after four base delays).
   */
  send(from: string, to: string, deliver: () => void, onOutcome?: (ok: boolean) => void): void {
    this.sent++;
    const f = this.faults;
    if (!this.linkUp(from, to) || this.#lostOnTheWay(to)) {
      this.dropped++;
      if (onOutcome) this.#clock.schedule(f.latencyMs * 4, () => onOutcome(false));
      return;
    }
    this.#clock.schedule(this.latency(from, to), () => {
      // A partition or crash that happens while the datagram is in flight also loses it.
      if (!this.linkUp(from, to)) {
        this.dropped++;
        onOutcome?.(false);
        return;
      }
      deliver();
      onOutcome?.(true);
    });
    if (f.duplicate > 0 && this.#rng.next() < f.duplicate) {
      this.#clock.schedule(this.latency(from, to) + this.#rng.next() * f.jitterMs * 2, () => {
        if (this.linkUp(from, to)) deliver();
      });
    }
  }

  #lostOnTheWay(to: string): boolean {
    const extra = this.#inboundLoss.get(to);
    if (extra !== undefined && this.#rng.next() < extra) return true;
    return this.faults.loss > 0 && this.#rng.next() < this.faults.loss;
  }
}
