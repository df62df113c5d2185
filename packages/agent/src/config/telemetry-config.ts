import type { TelemetryConfig } from '../telemetry/telemetry.js';
import { ConfigError } from './config-error.js';
import { type Json, bool, dur, str } from './json-fields.js';

/** The `telemetry` block: Consul's keys this agent honours (others, e.g. statsd sinks, are accepted and unused). */
export function telemetryBlock(t: Json): TelemetryConfig {
  const prefix = str(t.metrics_prefix, 'telemetry.metrics_prefix') ?? 'consul';
  if (!/^[A-Za-z0-9_.:-]*$/.test(prefix)) throw new ConfigError(`telemetry.metrics_prefix: invalid prefix ${JSON.stringify(prefix)}`);
  return {
    metricsPrefix: prefix,
    disableHostname: bool(t.disable_hostname, 'telemetry.disable_hostname') ?? false,
    prometheusRetentionMs: dur(t.prometheus_retention_time, 'telemetry.prometheus_retention_time') ?? 0,
  };
}
