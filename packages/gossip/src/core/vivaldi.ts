import type { Coordinate, VivaldiConfig } from './coordinate.js';
import { applyForce, coordinateProblem, copyCoordinate, defaultVivaldiConfig, distance, newCoordinate, rawDistance } from './coordinate.js';
import { LatencyFilter } from './latency-filter.js';
import type { Prng } from '@concord/simkit';
import { GossipCoordinateError } from '../errors.js';

/** Round-trip times above this are refused (Serf's `maxRTT`), in seconds. */
export const MAX_RTT_SECONDS = 10;

const ZERO_THRESHOLD = 1.0e-6;

/**
 * One node's Vivaldi state (Serf's `coordinate.Client`): its coordinate, the latency
 * filter, the adjustment window and gravity towards the origin. Pure: RTTs are passed
 * in, and the only randomness is the injected PRNG.
 */
export class VivaldiClient {
  readonly config: VivaldiConfig;
  readonly #rng: Prng;
  readonly #origin: Coordinate;
  readonly #filter: LatencyFilter;
  readonly #adjustmentSamples: number[];
  #adjustmentIndex = 0;
  #coord: Coordinate;
  #resets = 0;

  constructor(rng: Prng, config: VivaldiConfig = defaultVivaldiConfig) {
    this.config = config;
    this.#rng = rng;
    this.#coord = newCoordinate(config);
    this.#origin = newCoordinate(config);
    this.#filter = new LatencyFilter(config.latencyFilterSize);
    this.#adjustmentSamples = new Array<number>(config.adjustmentWindowSize).fill(0);
  }

  get coordinate(): Coordinate {
    return copyCoordinate(this.#coord);
  }

  /** How often the coordinate went invalid and was reset to the origin. */
  get resets(): number {
    return this.#resets;
  }

  /** Estimated RTT in seconds from this node to `other`. */
  distanceTo(other: Coordinate): number {
    return distance(this.#coord, other);
  }

  /** Drop the latency samples of a peer that went away. */
  forget(peer: string): void {
    this.#filter.forget(peer);
  }

  /**
   * Take one observation: `peer` at coordinate `other` answered in `rttSeconds`.
   * Throws `GossipCoordinateError` for an invalid coordinate or an RTT outside (0, 10 s].
   */
  update(peer: string, other: Coordinate, rttSeconds: number): Coordinate {
    const problem = coordinateProblem(other, this.config.dimensionality);
    if (problem !== undefined) throw new GossipCoordinateError(problem);
    if (!(rttSeconds > 0 && rttSeconds <= MAX_RTT_SECONDS)) {
      throw new GossipCoordinateError(`round trip time ${rttSeconds} s is not in (0, ${MAX_RTT_SECONDS} s]`);
    }
    const rtt = this.#filter.add(peer, rttSeconds);
    this.#updateVivaldi(other, rtt);
    this.#updateAdjustment(other, rtt);
    this.#updateGravity();
    if (coordinateProblem(this.#coord, this.config.dimensionality) !== undefined) {
      this.#resets += 1;
      this.#coord = newCoordinate(this.config);
    }
    return this.coordinate;
  }

  #updateVivaldi(other: Coordinate, rttIn: number): void {
    const c = this.config;
    const rtt = Math.max(rttIn, ZERO_THRESHOLD);
    const dist = distance(this.#coord, other);
    const wrongness = Math.abs(dist - rtt) / rtt;
    const totalError = Math.max(this.#coord.Error + other.Error, ZERO_THRESHOLD);
    const weight = this.#coord.Error / totalError;
    const error = Math.min(c.vivaldiCE * weight * wrongness + this.#coord.Error * (1 - c.vivaldiCE * weight), c.vivaldiErrorMax);
    const force = c.vivaldiCC * weight * (rtt - dist);
    this.#coord = applyForce({ ...this.#coord, Error: error }, force, other, c, this.#rng);
  }

  #updateAdjustment(other: Coordinate, rtt: number): void {
    const size = this.config.adjustmentWindowSize;
    if (size === 0) return;
    this.#adjustmentSamples[this.#adjustmentIndex] = rtt - rawDistance(this.#coord, other);
    this.#adjustmentIndex = (this.#adjustmentIndex + 1) % size;
    const sum = this.#adjustmentSamples.reduce((a, b) => a + b, 0);
    this.#coord = { ...this.#coord, Adjustment: sum / (2 * size) };
  }

  #updateGravity(): void {
    const dist = distance(this.#origin, this.#coord);
    const force = -1 * (dist / this.config.gravityRho) ** 2;
    this.#coord = applyForce(this.#coord, force, this.#origin, this.config, this.#rng);
  }
}
