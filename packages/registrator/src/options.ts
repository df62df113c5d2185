/** What the sidecar is told to do, and the start-up checks registrator makes on it. */
import { RegistratorConfigError } from './errors.js';
import type { RegistryTarget } from './registry-uri.js';

export type DeregisterMode = 'always' | 'on-success';

export interface RegistratorOptions {
  readonly registry: RegistryTarget;
  /** `-ip`: the address registered for published ports. */
  readonly ip?: string;
  /** `-internal`: container IP and exposed port instead of host IP and host port. */
  readonly internal?: boolean;
  /** `-explicit`: only ports that have a `SERVICE_[<port>_]NAME`. */
  readonly explicit?: boolean;
  /** `-useIpFromLabel`: take the IP from this container label (anything from `/` on is dropped). */
  readonly useIpFromLabel?: string;
  /** `-tags`: extra tags for every service; a Go-style template over the inspect object. */
  readonly tags?: string;
  /** `-ttl` seconds: a sidecar-owned TTL check on every service (0: none). */
  readonly ttl?: number;
  /** `-ttl-refresh` seconds: how often the sidecar passes its TTL checks. */
  readonly ttlRefresh?: number;
  /** `-resync` seconds: full reconciliation period (0: only after start and reconnects). */
  readonly resync?: number;
  /** `-retry-attempts`: extra start-up pings of the registry (-1: forever). */
  readonly retryAttempts?: number;
  /** `-retry-interval` milliseconds: between start-up pings, and between retries of failed writes. */
  readonly retryInterval?: number;
  /** `-deregister`: what happens to the services of a container that exits. */
  readonly deregister?: DeregisterMode;
  /** `-cleanup`: remove services this sidecar owns whose container no longer runs. */
  readonly cleanup?: boolean;
  /** `-hostname`: host identity in service IDs; default Docker's `Name` from `docker info`. */
  readonly hostname?: string;
  /** `-require-label key[=value]`: only containers carrying this label (our extension). */
  readonly requireLabel?: string;
}

/** Options with every default filled in. */
export type ResolvedOptions = Required<Omit<RegistratorOptions, 'ip' | 'useIpFromLabel' | 'tags' | 'hostname' | 'requireLabel'>> &
  Pick<RegistratorOptions, 'ip' | 'useIpFromLabel' | 'tags' | 'hostname' | 'requireLabel'>;

export function resolveOptions(options: RegistratorOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    ...options,
    internal: options.internal ?? false,
    explicit: options.explicit ?? false,
    ttl: options.ttl ?? 0,
    ttlRefresh: options.ttlRefresh ?? 0,
    resync: options.resync ?? 0,
    retryAttempts: options.retryAttempts ?? 0,
    retryInterval: options.retryInterval ?? 2000,
    deregister: options.deregister ?? 'always',
    cleanup: options.cleanup ?? false,
  };
  validateOptions(resolved);
  return resolved;
}

function validateOptions(o: ResolvedOptions): void {
  for (const [flag, value] of [
    ['ttl', o.ttl],
    ['ttl-refresh', o.ttlRefresh],
    ['resync', o.resync],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) throw new RegistratorConfigError(`-${flag} must be a whole number of seconds >= 0`);
  }
  if (o.ttl > 0 !== o.ttlRefresh > 0) throw new RegistratorConfigError('-ttl and -ttl-refresh must be both 0 or both greater than 0');
  if (o.ttl > 0 && o.ttl <= o.ttlRefresh) throw new RegistratorConfigError('-ttl must be greater than -ttl-refresh');
  if (!Number.isInteger(o.retryInterval) || o.retryInterval <= 0) throw new RegistratorConfigError('-retry-interval must be greater than 0');
  if (!Number.isInteger(o.retryAttempts) || o.retryAttempts < -1) throw new RegistratorConfigError('-retry-attempts must be -1 or more');
  if (o.deregister !== 'always' && o.deregister !== 'on-success') {
    throw new RegistratorConfigError(`-deregister must be "always" or "on-success"`);
  }
  if (o.requireLabel !== undefined && /^=|^$/.test(o.requireLabel)) {
    throw new RegistratorConfigError('-require-label needs a label key: key or key=value');
  }
}
