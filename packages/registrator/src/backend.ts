/** Where services are written: a Consul-style agent, or its KV store. */
import type { HealthStatus } from '@concord/api';
import type { DesiredService } from './registration.js';

export interface RegistryEntry {
  readonly id: string;
  readonly name: string;
  /** Carries the sidecar's owner marker. */
  readonly marked: boolean;
}

export interface Backend {
  /** `consul` or `consulkv`, for logs. */
  readonly kind: string;
  /** Succeeds when the registry answers at all. */
  ping(): Promise<void>;
  register(service: DesiredService): Promise<void>;
  /** Removes an entry; an entry that is already gone is not an error. */
  deregister(id: string, name: string): Promise<void>;
  /** Every entry the registry holds where this backend writes. */
  entries(): Promise<RegistryEntry[]>;
  /** Sets a sidecar-owned TTL check; `false` when the registry no longer knows it. */
  heartbeat(checkId: string, status: HealthStatus, output: string): Promise<boolean>;
}
