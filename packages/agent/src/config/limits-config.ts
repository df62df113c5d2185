/**
 * Bounds on what clients may make the agent hold, from the `limits` block: Consul's
 * `http_max_conns_per_client` and `rpc_max_conns_per_client`, and Concord's `snapshot_restore_max_bytes` and HTTP timeouts.
 */
import { ConfigError } from './config-error.js';
import { durationFromJson } from '@concord/goflags';

export interface InputBounds {
  /** `limits.http_max_conns_per_client`: HTTP connections one client IP may hold (Consul: 200); 0 = no cap. */
  httpMaxConnsPerClient: number;
  /** `limits.rpc_max_conns_per_client`: connections one client IP may hold on the server RPC port (Consul: 100); 0 = no cap. */
  rpcMaxConnsPerClient: number;
  /**
   * `limits.snapshot_restore_max_bytes`: largest snapshot `PUT /v1/snapshot` accepts, both as
   * uploaded and once inflated (default 128 MiB).
   */
  snapshotRestoreMaxBytes: number;
  /** `limits.http_headers_timeout`: time a client has to send a request's headers (default 30 s). */
  httpHeadersTimeoutMs: number;
  /**
   * `limits.http_body_timeout`: time a client has to send a request's body once its headers are in
   * (default 60 s). A response may take longer (blocking queries): only the request is timed.
   */
  httpBodyTimeoutMs: number;
}

export const DEFAULT_SNAPSHOT_RESTORE_MAX_BYTES = 128 * 1024 * 1024;

function nonNegativeInt(v: unknown, key: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ConfigError(`limits.${key} must be a non-negative integer`);
  return v;
}

function positiveDuration(v: unknown, key: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const ms = durationFromJson(v);
  if (ms === undefined || ms <= 0) throw new ConfigError(`limits.${key}: invalid duration ${JSON.stringify(v)}`);
  return ms;
}

export function inputBounds(limits: Record<string, unknown>): InputBounds {
  const snapshot = nonNegativeInt(limits.snapshot_restore_max_bytes, 'snapshot_restore_max_bytes') ?? DEFAULT_SNAPSHOT_RESTORE_MAX_BYTES;
  if (snapshot < 1024) throw new ConfigError('limits.snapshot_restore_max_bytes must be at least 1024');
  return {
    httpMaxConnsPerClient: nonNegativeInt(limits.http_max_conns_per_client, 'http_max_conns_per_client') ?? 200,
    rpcMaxConnsPerClient: nonNegativeInt(limits.rpc_max_conns_per_client, 'rpc_max_conns_per_client') ?? 100,
    snapshotRestoreMaxBytes: snapshot,
    httpHeadersTimeoutMs: positiveDuration(limits.http_headers_timeout, 'http_headers_timeout') ?? 30_000,
    httpBodyTimeoutMs: positiveDuration(limits.http_body_timeout, 'http_body_timeout') ?? 60_000,
  };
}
