import type { Command, NetworkCoordinate } from '@concord/state';

/**
 * Consul's `lib.RateScaledInterval`: the period at which each of `members` agents sends so
 * the whole cluster stays near `rateTarget` updates per second, but never below `minMs`.
 */
export function rateScaledIntervalMs(rateTarget: number, minMs: number, members: number): number {
  const ms = (members / rateTarget) * 1000;
  return Math.max(ms, minMs);
}

/** The wait before the next coordinate update: the scaled interval plus a stagger of up to as much again. */
export function coordinateSyncDelayMs(rateTarget: number, minMs: number, members: number, random: () => number = Math.random): number {
  const interval = rateScaledIntervalMs(rateTarget, minMs, members);
  return interval + Math.floor(random() * interval);
}

export interface CoordinateSyncOptions {
  node: string;
  /** `sync_coordinate_interval_min` (Consul: 15 s). */
  intervalMinMs: number;
  /** `sync_coordinate_rate_target` (Consul: 64 updates per second). */
  rateTarget: number;
  /** This agent's LAN coordinate. */
  coordinate(): NetworkCoordinate;
  /** How many LAN members there are (scales the period). */
  memberCount(): number;
  /** Whether this node is in the catalog: an unregistered node's coordinate would be dropped. */
  isRegistered(): boolean | Promise<boolean>;
  write(command: Command): Promise<unknown>;
  random?: () => number;
  onError?(err: unknown): void;
}

/**
 * Sends this agent's own coordinate to the catalog now and then, as Consul's agent does
 * (`sendCoordinate`): one update per period, only while its node is registered.
 */
export class CoordinateSync {
  readonly #o: CoordinateSyncOptions;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: CoordinateSyncOptions) {
    this.#o = options;
  }

  start(): void {
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** One round: send the coordinate if the node is registered. Resolves to whether it was sent. */
  async syncOnce(): Promise<boolean> {
    const o = this.#o;
    if (!(await o.isRegistered())) return false;
    await o.write({ type: 'coordinate-batch-update', updates: [{ Node: o.node, Segment: '', Coord: o.coordinate() }] });
    return true;
  }

  #schedule(): void {
    if (this.#stopped) return;
    const o = this.#o;
    const delay = coordinateSyncDelayMs(o.rateTarget, o.intervalMinMs, o.memberCount(), o.random);
    this.#timer = setTimeout(() => {
      this.syncOnce()
        .catch((err: unknown) => o.onError?.(err))
        .finally(() => this.#schedule());
    }, delay);
    this.#timer.unref();
  }
}
