/**
 * go-metrics' in-memory sink, which `/v1/agent/metrics` shows as JSON: counters and samples
 * aggregated over fixed intervals (10 s), with count, rate, sum, min, max, mean and stddev.
 */

export type Labels = Record<string, string>;

export interface AggregateView {
  Name: string;
  Count: number;
  Rate: number;
  Sum: number;
  Min: number;
  Max: number;
  Mean: number;
  Stddev: number;
  Labels: Labels;
}

export interface GaugeView {
  Name: string;
  Value: number;
  Labels: Labels;
}

class Aggregate {
  count = 0;
  sum = 0;
  sumSq = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  constructor(readonly labels: Labels) {}

  add(v: number): void {
    this.count++;
    this.sum += v;
    this.sumSq += v * v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  view(name: string, intervalSec: number): AggregateView {
    const mean = this.count > 0 ? this.sum / this.count : 0;
    const variance = this.count > 1 ? (this.sumSq - this.count * mean * mean) / (this.count - 1) : 0;
    return {
      Name: name,
      Count: this.count,
      Rate: this.sum / intervalSec,
      Sum: this.sum,
      Min: this.count > 0 ? this.min : 0,
      Max: this.count > 0 ? this.max : 0,
      Mean: mean,
      Stddev: Math.sqrt(Math.max(0, variance)),
      Labels: this.labels,
    };
  }
}

export function seriesKey(name: string, labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return name;
  if (keys.length === 1) return `${name};${keys[0]}=${labels[keys[0] as string]}`;
  keys.sort();
  return keys.length === 0 ? name : `${name};${keys.map((k) => `${k}=${labels[k]}`).join(';')}`;
}

interface Interval {
  start: number;
  counters: Map<string, { name: string; agg: Aggregate }>;
  samples: Map<string, { name: string; agg: Aggregate }>;
  gauges: Map<string, GaugeView>;
}

/** Go's `time.Time.String()` of a whole second in UTC: `2006-01-02 15:04:05 +0000 UTC`. */
export function goUtcString(ms: number): string {
  const iso = new Date(Math.round(ms / 1000) * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

export class InmemSink {
  readonly #intervalMs: number;
  #current: Interval;

  constructor(
    intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    this.#intervalMs = intervalMs;
    this.#current = this.#fresh();
  }

  #fresh(): Interval {
    const t = this.now();
    return { start: t - (t % this.#intervalMs), counters: new Map(), samples: new Map(), gauges: new Map() };
  }

  #interval(): Interval {
    if (this.now() - this.#current.start >= this.#intervalMs) {
      const gauges = this.#current.gauges;
      this.#current = this.#fresh();
      // A gauge keeps its last value until set again.
      this.#current.gauges = gauges;
    }
    return this.#current;
  }

  incr(name: string, value: number, labels: Labels): void {
    this.#aggregate('counters', name, value, labels);
  }

  sample(name: string, value: number, labels: Labels): void {
    this.#aggregate('samples', name, value, labels);
  }

  /** `incr` for a series whose key (`seriesKey(name, labels)`) the caller worked out once. */
  incrSeries(key: string, name: string, value: number, labels: Labels): void {
    this.#add(this.#interval().counters, key, name, value, labels);
  }

  /** `sample` for a series whose key (`seriesKey(name, labels)`) the caller worked out once. */
  sampleSeries(key: string, name: string, value: number, labels: Labels): void {
    this.#add(this.#interval().samples, key, name, value, labels);
  }

  #aggregate(table: 'counters' | 'samples', name: string, value: number, labels: Labels): void {
    this.#add(this.#interval()[table], seriesKey(name, labels), name, value, labels);
  }

  #add(m: Interval['samples'], key: string, name: string, value: number, labels: Labels): void {
    let s = m.get(key);
    if (!s) m.set(key, (s = { name, agg: new Aggregate(labels) }));
    s.agg.add(value);
  }

  gauge(name: string, value: number, labels: Labels): void {
    this.#interval().gauges.set(seriesKey(name, labels), { Name: name, Value: value, Labels: labels });
  }

  /** The current interval in Consul's JSON shape. */
  display(): { Timestamp: string; Gauges: GaugeView[]; Points: never[]; Counters: AggregateView[]; Samples: AggregateView[] } {
    const iv = this.#interval();
    const sec = this.#intervalMs / 1000;
    const byName = <T extends { Name: string }>(a: T, b: T) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0);
    return {
      Timestamp: goUtcString(iv.start),
      Gauges: [...iv.gauges.values()].sort(byName),
      Points: [],
      Counters: [...iv.counters.values()].map((s) => s.agg.view(s.name, sec)).sort(byName),
      Samples: [...iv.samples.values()].map((s) => s.agg.view(s.name, sec)).sort(byName),
    };
  }
}
