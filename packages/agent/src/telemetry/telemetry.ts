/**
 * The agent's metrics under Consul's names (go-metrics keys such as `raft.apply`,
 * `http.GET.v1.kv._`), kept twice: in prom-client for `?format=prometheus` (counters, summaries
 * for timers with Consul's 0.5/0.9/0.99 quantiles, gauges) and in an in-memory interval sink for
 * the JSON form. Gauges carry the host name after the prefix unless `disable_hostname`, as
 * go-metrics does. Metrics Consul has no name for live under `concord_*`.
 */
import { hostname } from 'node:os';
import { Counter, Gauge, Registry, Summary } from 'prom-client';
import { InmemSink, type Labels, seriesKey } from './inmem.js';

export interface TelemetryConfig {
  /** `telemetry.metrics_prefix` (default `consul`). */
  metricsPrefix: string;
  /** `telemetry.disable_hostname`. */
  disableHostname: boolean;
  /** `telemetry.prometheus_retention_time` in ms; 0 (the default) leaves Prometheus output off. */
  prometheusRetentionMs: number;
}

export const DEFAULT_TELEMETRY: TelemetryConfig = { metricsPrefix: 'consul', disableHostname: false, prometheusRetentionMs: 0 };

/** A Prometheus metric name from go-metrics key parts (anything but [A-Za-z0-9_:] becomes `_`). */
export function promName(parts: readonly string[]): string {
  return parts.join('_').replace(/[^a-zA-Z0-9_:]/g, '_');
}

type Kind = 'counter' | 'summary' | 'gauge';

export class Telemetry {
  readonly registry = new Registry();
  readonly #inmem = new InmemSink();
  readonly #config: TelemetryConfig;
  readonly #host: string;
  readonly #metrics = new Map<string, { kind: Kind; metric: Counter | Summary | Gauge; labelNames: string[] }>();
  readonly #gaugeFns: { key: string[]; labels: Labels; fn: () => number | undefined }[] = [];

  constructor(config: TelemetryConfig = DEFAULT_TELEMETRY) {
    this.#config = config;
    this.#host = hostname().replace(/\./g, '_');
  }

  get config(): TelemetryConfig {
    return this.#config;
  }

  get prometheusEnabled(): boolean {
    return this.#config.prometheusRetentionMs > 0;
  }

  #key(key: readonly string[], gauge: boolean): string[] {
    const prefix = this.#config.metricsPrefix ? [this.#config.metricsPrefix] : [];
    return gauge && !this.#config.disableHostname ? [...prefix, this.#host, ...key] : [...prefix, ...key];
  }

  /** The prom-client metric for a key; undefined when the key is already used with another type or label set. */
  #prom(kind: Kind, parts: string[], labels: Labels): Counter | Summary | Gauge | undefined {
    // As in Consul, no Prometheus sink exists unless its retention time is positive.
    if (!this.prometheusEnabled) return undefined;
    const name = promName(parts);
    const labelNames = Object.keys(labels).sort();
    const known = this.#metrics.get(name);
    if (known && known.kind === kind && known.labelNames.join() === labelNames.join()) return known.metric;
    if (known) return undefined;
    const help = parts.join('.');
    let metric: Counter | Summary | Gauge;
    if (kind === 'counter') metric = new Counter({ name, help, labelNames, registers: [this.registry] });
    else if (kind === 'gauge') metric = new Gauge({ name, help, labelNames, registers: [this.registry] });
    else {
      const maxAgeSeconds = Math.max(1, Math.round((this.#config.prometheusRetentionMs || 60_000) / 1000));
      metric = new Summary({ name, help, labelNames, percentiles: [0.5, 0.9, 0.99], maxAgeSeconds, ageBuckets: 5, registers: [this.registry] });
    }
    this.#metrics.set(name, { kind, metric, labelNames });
    return metric;
  }

  /** go-metrics `IncrCounter`. */
  incrCounter(key: readonly string[], value = 1, labels: Labels = {}): void {
    const prefix = this.#config.metricsPrefix;
    this.#inmem.incr(prefix ? `${prefix}.${key.join('.')}` : key.join('.'), value, labels);
    if (this.prometheusEnabled) (this.#prom('counter', this.#key(key, false), labels) as Counter | undefined)?.inc(labels, value);
  }

  /** `incrCounter` for one fixed key and label set, with the metric's names worked out once. */
  counter(key: readonly string[], labels: Labels = {}): (value?: number) => void {
    const prefix = this.#config.metricsPrefix;
    const name = prefix ? `${prefix}.${key.join('.')}` : key.join('.');
    const series = seriesKey(name, labels);
    const fixedKey = [...key];
    return (value = 1) => {
      this.#inmem.incrSeries(series, name, value, labels);
      if (this.prometheusEnabled) (this.#prom('counter', this.#key(fixedKey, false), labels) as Counter | undefined)?.inc(labels, value);
    };
  }

  /** go-metrics `AddSample` / `MeasureSince`: a timer in milliseconds. */
  addSample(key: readonly string[], ms: number, labels: Labels = {}): void {
    const prefix = this.#config.metricsPrefix;
    // the common case, without a Prometheus sink, needs only the dotted name
    const name = prefix ? `${prefix}.${key.join('.')}` : key.join('.');
    this.#inmem.sample(name, ms, labels);
    if (this.prometheusEnabled) (this.#prom('summary', this.#key(key, false), labels) as Summary | undefined)?.observe(labels, ms);
  }

  measureSince(key: readonly string[], startMs: number, labels: Labels = {}): void {
    this.addSample(key, performance.now() - startMs, labels);
  }

  /**
   * `addSample` for one fixed key and label set, with the metric's names worked out once: for
   * samples taken on every request of a hot path.
   */
  sampler(key: readonly string[], labels: Labels = {}): (ms: number) => void {
    const prefix = this.#config.metricsPrefix;
    const name = prefix ? `${prefix}.${key.join('.')}` : key.join('.');
    const series = seriesKey(name, labels);
    const fixedKey = [...key];
    return (ms) => {
      this.#inmem.sampleSeries(series, name, ms, labels);
      if (this.prometheusEnabled) (this.#prom('summary', this.#key(fixedKey, false), labels) as Summary | undefined)?.observe(labels, ms);
    };
  }

  /** `measureSince` through a `sampler`. */
  timer(key: readonly string[], labels: Labels = {}): (startMs: number) => void {
    const sample = this.sampler(key, labels);
    return (startMs) => sample(performance.now() - startMs);
  }

  /** go-metrics `SetGauge`. */
  setGauge(key: readonly string[], value: number, labels: Labels = {}): void {
    const parts = this.#key(key, true);
    this.#inmem.gauge(parts.join('.'), value, labels);
    (this.#prom('gauge', parts, labels) as Gauge | undefined)?.set(labels, value);
  }

  /** A gauge read when metrics are shown (undefined: not set this time). */
  gaugeFrom(key: readonly string[], fn: () => number | undefined, labels: Labels = {}): void {
    this.#gaugeFns.push({ key: [...key], labels, fn });
  }

  /** A counter mirrored from a running total kept elsewhere (e.g. bytes the gossip layer sent). */
  counterFrom(key: readonly string[], total: () => number): void {
    let seen = 0;
    this.#gaugeFns.push({
      key: [],
      labels: {},
      fn: () => {
        const now = total();
        if (now > seen) this.incrCounter(key, now - seen);
        seen = Math.max(seen, now);
        return undefined;
      },
    });
  }

  #collect(): void {
    for (const g of this.#gaugeFns) {
      let v: number | undefined;
      try {
        v = g.fn();
      } catch {
        v = undefined;
      }
      if (v !== undefined && g.key.length > 0 && Number.isFinite(v)) this.setGauge(g.key, v, g.labels);
    }
  }

  /** `/v1/agent/metrics` as JSON. */
  json() {
    this.#collect();
    return this.#inmem.display();
  }

  /** `/v1/agent/metrics?format=prometheus`. */
  async prometheus(): Promise<string> {
    this.#collect();
    return this.registry.metrics();
  }
}
