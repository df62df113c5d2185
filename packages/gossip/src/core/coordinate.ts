import type { Prng } from '@concord/simkit';

/**
 * A Vivaldi network coordinate as Serf keeps it: a point in a Euclidean space plus a
 * height (the access-link latency), an adjustment term, and the node's confidence in
 * it (`Error`). All quantities are seconds. The JSON shape is Consul's.
 */
export interface Coordinate {
  readonly Vec: readonly number[];
  readonly Error: number;
  readonly Adjustment: number;
  readonly Height: number;
}

/** Serf's `coordinate.DefaultConfig()`. */
export interface VivaldiConfig {
  readonly dimensionality: number;
  readonly vivaldiErrorMax: number;
  readonly vivaldiCE: number;
  readonly vivaldiCC: number;
  readonly adjustmentWindowSize: number;
  /** Seconds. */
  readonly heightMin: number;
  readonly latencyFilterSize: number;
  /** Seconds. */
  readonly gravityRho: number;
}

export const defaultVivaldiConfig: VivaldiConfig = Object.freeze({
  dimensionality: 8,
  vivaldiErrorMax: 1.5,
  vivaldiCE: 0.25,
  vivaldiCC: 0.25,
  adjustmentWindowSize: 20,
  heightMin: 10e-6,
  latencyFilterSize: 3,
  gravityRho: 150,
});

/** Below this, a length counts as zero (Serf's `zeroThreshold`). */
const ZERO_THRESHOLD = 1.0e-6;

/** The origin, with the largest error: what a node starts from. */
export function newCoordinate(config: VivaldiConfig = defaultVivaldiConfig): Coordinate {
  return {
    Vec: new Array<number>(config.dimensionality).fill(0),
    Error: config.vivaldiErrorMax,
    Adjustment: 0,
    Height: config.heightMin,
  };
}

/**
 * Why `value` is not a usable coordinate of `dimensionality` dimensions, or undefined
 * when it is one: every field present, numeric and finite.
 */
export function coordinateProblem(value: unknown, dimensionality = defaultVivaldiConfig.dimensionality): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'coordinate must be an object';
  const o = value as Record<string, unknown>;
  if (!Array.isArray(o.Vec)) return 'coordinate Vec must be an array of numbers';
  if (o.Vec.length !== dimensionality) return `coordinate dimensionality ${o.Vec.length} is not ${dimensionality}`;
  if (!o.Vec.every(isFiniteNumber)) return 'coordinate Vec must hold finite numbers';
  for (const k of ['Error', 'Adjustment', 'Height'] as const) {
    if (!isFiniteNumber(o[k])) return `coordinate ${k} must be a finite number`;
  }
  return undefined;
}

export function isCoordinate(value: unknown, dimensionality?: number): value is Coordinate {
  return coordinateProblem(value, dimensionality) === undefined;
}

/** A plain copy holding only the four fields (so extra input fields never travel on). */
export function copyCoordinate(c: Coordinate): Coordinate {
  return { Vec: [...c.Vec], Error: c.Error, Adjustment: c.Adjustment, Height: c.Height };
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function magnitude(v: readonly number[]): number {
  let sum = 0;
  for (const x of v) sum += x * x;
  return Math.sqrt(sum);
}

function diff(a: readonly number[], b: readonly number[]): number[] {
  return a.map((x, i) => x - (b[i] as number));
}

/** Distance without the adjustment terms: Euclidean part plus both heights (seconds). */
export function rawDistance(a: Coordinate, b: Coordinate): number {
  return magnitude(diff(a.Vec, b.Vec)) + a.Height + b.Height;
}

/**
 * Estimated round-trip time between two coordinates, in seconds: the raw distance plus
 * both adjustments when that sum stays positive (Serf's `DistanceTo`).
 */
export function distance(a: Coordinate, b: Coordinate): number {
  const raw = rawDistance(a, b);
  const adjusted = raw + a.Adjustment + b.Adjustment;
  return adjusted > 0 ? adjusted : raw;
}

/**
 * The unit vector pointing from `to` towards `from` and the distance between them. Two
 * coincident points get a random direction (from `rng`), with distance 0.
 */
function unitVectorAt(from: readonly number[], to: readonly number[], rng: Prng): { unit: number[]; mag: number } {
  const d = diff(from, to);
  const mag = magnitude(d);
  if (mag > ZERO_THRESHOLD) return { unit: d.map((x) => x / mag), mag };
  const r = d.map(() => rng.next() - 0.5);
  const rmag = magnitude(r);
  if (rmag > ZERO_THRESHOLD) return { unit: r.map((x) => x / rmag), mag: 0 };
  const unit = new Array<number>(from.length).fill(0);
  unit[0] = 1;
  return { unit, mag: 0 };
}

/**
 * Move `c` by `force` seconds along the line away from `other` (towards it when the
 * force is negative), updating the height in proportion (Serf's `ApplyForce`).
 */
export function applyForce(c: Coordinate, force: number, other: Coordinate, config: VivaldiConfig, rng: Prng): Coordinate {
  const { unit, mag } = unitVectorAt(c.Vec, other.Vec, rng);
  const vec = c.Vec.map((x, i) => x + (unit[i] as number) * force);
  let height = c.Height;
  if (mag > ZERO_THRESHOLD) {
    height = Math.max(((c.Height + other.Height) * force) / mag + c.Height, config.heightMin);
  }
  return { Vec: vec, Error: c.Error, Adjustment: c.Adjustment, Height: height };
}
