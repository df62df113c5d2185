import type { CheckRegistration, Command, HealthStatus } from '@concord/state';
import { type LongTimer, setLongTimeout } from '../checks/long-timer.js';
import type { CheckResult, CheckRunner } from '../checks/types.js';
import { formatDuration } from '@concord/goflags';
import { type CheckDefinition, type ServiceDefinition, checkTimings } from './definitions.js';
import type { LocalPersistence } from './persistence.js';
import { ServiceWatches } from './service-watches.js';

/** Consul truncates check output to this many bytes by default. */
const OUTPUT_LIMIT = 4096;

/** Where a service or check came from: the HTTP API (persisted) or config files (re-read at start). */
export type DefinitionSource = 'api' | 'config';

export interface LocalCheck {
  def: CheckDefinition;
  status: HealthStatus;
  output: string;
  /** The last note given to a TTL update, quoted when the TTL expires. */
  lastNote: string;
  source: DefinitionSource;
  /** When the check last turned critical (epoch ms); undefined while it is not critical. */
  criticalSince?: number;
}

export interface LocalStateDeps {
  nodeName: string;
  /**
   * Applies a catalog command (register/deregister) with the token of what it syncs (empty: the
   * agent's own token). Failures are logged and retried by a later sync.
   */
  write(command: Command, token: string): Promise<unknown>;
  onError(err: unknown): void;
  /** Starts what runs a non-TTL check; its results arrive through `report`. */
  startRunner?(def: CheckDefinition, source: DefinitionSource, report: (result: CheckResult) => void): CheckRunner | undefined;
  /** Keeps API-registered services and checks across restarts. */
  persistence?: LocalPersistence;
  /**
   * `check_update_interval`: a check whose output changes but whose status does not is synced
   * to the catalog at most this often (status changes sync at once). 0 syncs every change.
   */
  checkUpdateIntervalMs?: number;
  now?: () => number;
}

export interface AddOptions {
  /** Defaults to `api`. */
  source?: DefinitionSource;
  /** A check that already exists keeps its status and output (Consul does so on reload). */
  keepStatus?: boolean;
  /**
   * The ACL token it was registered with (the request's, or `Token` in a config file): the catalog
   * writes that sync it use this token, as Consul's anti-entropy does.
   */
  token?: string;
}

/**
 * The services and checks this agent owns. Every change is pushed to the catalog at once;
 * TTL checks expire here, other checks run through their runners.
 */
export class LocalState {
  readonly services = new Map<string, ServiceDefinition>();
  readonly serviceSources = new Map<string, DefinitionSource>();
  readonly checks = new Map<string, LocalCheck>();
  /** Wakes hash-blocking readers of one service when its definition changes or it goes away. */
  readonly serviceWatches = new ServiceWatches();
  readonly #ttlTimers = new Map<string, LongTimer>();
  readonly #runners = new Map<string, CheckRunner>();
  /** Output-only changes waiting for their deferred sync, and when each check last synced. */
  readonly #deferred = new Map<string, NodeJS.Timeout>();
  readonly #lastSync = new Map<string, number>();
  /** The registration token of each service and check that has one. */
  readonly #serviceTokens = new Map<string, string>();
  readonly #checkTokens = new Map<string, string>();
  /** The last write still in flight for each service (or node check), which the next one waits for. */
  readonly #pending = new Map<string, Promise<void>>();
  readonly #deps: LocalStateDeps;
  #closed = false;

  constructor(deps: LocalStateDeps) {
    this.#deps = deps;
  }

  get nodeName(): string {
    return this.#deps.nodeName;
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)();
  }

  addService(service: ServiceDefinition, checks: CheckDefinition[], replaceExistingChecks = false, options: AddOptions = {}): void {
    const source = options.source ?? 'api';
    const existing = this.services.get(service.ID);
    this.services.set(service.ID, service);
    this.serviceSources.set(service.ID, source);
    setOrDelete(this.#serviceTokens, service.ID, options.token);
    this.#persist(source, (p) => p.saveService(service, options.token));
    if (existing && replaceExistingChecks) {
      for (const [id, c] of [...this.checks]) {
        if (c.def.ServiceID === service.ID && !checks.some((n) => n.CheckID === id)) this.removeCheck(id);
      }
    }
    // As in Consul, re-registering a service keeps the status and output of its checks.
    for (const c of checks) this.#putCheck(c, false, source, true, options.token);
    this.serviceWatches.changed(service.ID);
    this.syncService(service.ID);
  }

  removeService(id: string): boolean {
    if (!this.services.has(id)) return false;
    const token = this.serviceToken(id);
    for (const [cid, c] of [...this.checks]) {
      if (c.def.ServiceID === id) {
        this.#stopCheck(cid);
        this.checks.delete(cid);
        this.#checkTokens.delete(cid);
        this.#unpersist((p) => p.deleteCheck(cid));
        this.#unpersist((p) => p.deleteCheckState(cid));
      }
    }
    this.services.delete(id);
    this.serviceSources.delete(id);
    this.#serviceTokens.delete(id);
    this.serviceWatches.changed(id);
    this.#unpersist((p) => p.deleteService(id));
    this.#send({ type: 'deregister', dereg: { Node: this.#deps.nodeName, ServiceID: id } }, token, serviceKey(id));
    return true;
  }

  /** Replaces a service's tags without a sync (anti-entropy adopting the catalog's tags). */
  setServiceTags(id: string, tags: readonly string[]): void {
    const svc = this.services.get(id);
    if (!svc) return;
    this.services.set(id, { ...svc, Tags: [...tags] });
    this.serviceWatches.changed(id);
  }

  addCheck(def: CheckDefinition, options: AddOptions = {}): void {
    this.#putCheck(def, true, options.source ?? 'api', options.keepStatus ?? false, options.token);
  }

  /** The token a service syncs with ('' for the agent's own). */
  serviceToken(id: string): string {
    return this.#serviceTokens.get(id) ?? '';
  }

  /** The token a check syncs with: its own, else its service's ('' for the agent's own). */
  checkToken(id: string): string {
    const own = this.#checkTokens.get(id);
    if (own) return own;
    const serviceId = this.checks.get(id)?.def.ServiceID;
    return serviceId ? this.serviceToken(serviceId) : '';
  }

  #putCheck(def: CheckDefinition, sync: boolean, source: DefinitionSource, keepStatus: boolean, token: string | undefined): void {
    const prev = this.checks.get(def.CheckID);
    this.#stopCheck(def.CheckID);
    setOrDelete(this.#checkTokens, def.CheckID, token);
    const kept = keepStatus ? prev : undefined;
    const status = kept?.status ?? def.Status;
    const check: LocalCheck = {
      def,
      status,
      output: kept?.output ?? (prev && prev.def.Kind === def.Kind ? prev.output : ''),
      lastNote: kept?.lastNote ?? '',
      source,
      ...(status === 'critical' ? { criticalSince: prev?.criticalSince ?? this.#now() } : {}),
    };
    this.checks.set(def.CheckID, check);
    this.#persist(source, (p) => p.saveCheck(def, token));
    if (def.Kind === 'ttl') {
      // A TTL check restored within its TTL keeps the status it was last given.
      const saved = this.#deps.persistence?.loadCheckState(def.CheckID);
      const left = saved ? saved.expires - this.#now() : 0;
      if (saved && left > 0) {
        check.lastNote = saved.output;
        this.#setStatus(check, saved.status, saved.output);
        this.#armTtl(def.CheckID, left);
      } else this.#armTtl(def.CheckID);
    } else this.#startRunner(check);
    if (sync) this.syncCheck(def.CheckID);
  }

  #startRunner(check: LocalCheck): void {
    if (this.#closed || !this.#deps.startRunner) return;
    const id = check.def.CheckID;
    try {
      const runner = this.#deps.startRunner(check.def, check.source, (r) => {
        if (this.checks.get(id) === check) this.updateCheck(id, r.status, r.output);
      });
      if (runner) this.#runners.set(id, runner);
    } catch (err) {
      this.#deps.onError(err);
      this.#setStatus(check, 'critical', `Failed to start check: ${String(err)}`);
    }
  }

  removeCheck(id: string): boolean {
    if (!this.checks.has(id)) return false;
    const token = this.checkToken(id);
    const key = this.#checkKey(id);
    this.#stopCheck(id);
    this.checks.delete(id);
    this.#checkTokens.delete(id);
    this.#unpersist((p) => p.deleteCheck(id));
    this.#unpersist((p) => p.deleteCheckState(id));
    this.#send({ type: 'deregister', dereg: { Node: this.#deps.nodeName, CheckID: id } }, token, key);
    return true;
  }

  /** Sets the status of a check (TTL updates, maintenance, runners) and syncs it. */
  updateCheck(id: string, status: HealthStatus, output: string): void {
    const check = this.checks.get(id);
    if (!check) return;
    const limited = truncateOutput(output, check.def.outputMaxSize ?? OUTPUT_LIMIT);
    if (check.def.Kind === 'ttl') {
      check.lastNote = limited;
      this.#armTtl(id);
      const ttl = check.def.ttlMs;
      if (ttl) this.#unpersist((p) => p.saveCheckState(id, { status, output: limited, expires: this.#now() + ttl }));
    }
    const statusChanged = check.status !== status;
    if (!this.#setStatus(check, status, limited)) return;
    if (statusChanged) this.syncCheck(id);
    else this.#syncOutput(id);
  }

  /** An output-only change: synced now, or deferred to `check_update_interval` after the last sync. */
  #syncOutput(id: string): void {
    const interval = this.#deps.checkUpdateIntervalMs ?? 0;
    const due = (this.#lastSync.get(id) ?? 0) + interval;
    if (interval <= 0 || this.#now() >= due) {
      this.syncCheck(id);
      return;
    }
    if (this.#deferred.has(id) || this.#closed) return;
    const timer = setTimeout(() => {
      this.#deferred.delete(id);
      this.syncCheck(id);
    }, due - this.#now());
    timer.unref();
    this.#deferred.set(id, timer);
  }

  /** True while an output-only change of `id` waits for its deferred sync. */
  isDeferred(id: string): boolean {
    return this.#deferred.has(id);
  }

  /** Records a status; true when something changed. */
  #setStatus(check: LocalCheck, status: HealthStatus, output: string): boolean {
    if (check.status === status && check.output === output) return false;
    if (status !== 'critical') delete check.criticalSince;
    else if (check.status !== 'critical' || check.criticalSince === undefined) check.criticalSince = this.#now();
    check.status = status;
    check.output = output;
    return true;
  }

  #armTtl(id: string, ms?: number): void {
    this.#stopTtl(id);
    const check = this.checks.get(id);
    if (!check?.def.ttlMs || this.#closed) return;
    const timer = setLongTimeout(() => {
      this.#ttlTimers.delete(id);
      const c = this.checks.get(id);
      if (!c) return;
      const output = c.lastNote ? `TTL expired (last output before timeout follows): ${c.lastNote}` : 'TTL expired';
      if (this.#setStatus(c, 'critical', output)) this.syncCheck(id);
    }, ms ?? check.def.ttlMs);
    this.#ttlTimers.set(id, timer);
  }

  #stopTtl(id: string): void {
    this.#ttlTimers.get(id)?.clear();
    this.#ttlTimers.delete(id);
  }

  #stopCheck(id: string): void {
    this.#stopTtl(id);
    const runner = this.#runners.get(id);
    this.#runners.delete(id);
    try {
      runner?.stop();
    } catch (err) {
      this.#deps.onError(err);
    }
  }

  #persist(source: DefinitionSource, fn: (p: LocalPersistence) => void): void {
    const p = this.#deps.persistence;
    if (!p) return;
    try {
      if (source === 'api') fn(p);
    } catch (err) {
      this.#deps.onError(err);
    }
  }

  #unpersist(fn: (p: LocalPersistence) => void): void {
    this.#persist('api', fn);
  }

  /** Re-adds the services and checks saved by an earlier run (after the config-file ones). */
  restorePersisted(onBadFile?: (path: string, err: unknown) => void): { services: number; checks: number } {
    const p = this.#deps.persistence;
    if (!p) return { services: 0, checks: 0 };
    const { services, checks, tokens } = p.load(onBadFile);
    let nServices = 0;
    let nChecks = 0;
    const token = (kind: 'service' | 'check', id: string) => {
      const t = tokens.get(`${kind}:${id}`);
      return t ? { token: t } : {};
    };
    for (const svc of services) {
      if (this.services.has(svc.ID)) continue;
      this.addService(svc, [], false, { source: 'api', ...token('service', svc.ID) });
      nServices++;
    }
    for (const def of checks) {
      if (this.checks.has(def.CheckID)) continue;
      if (def.ServiceID && !this.services.has(def.ServiceID)) {
        this.#unpersist((q) => q.deleteCheck(def.CheckID));
        continue;
      }
      this.addCheck(def, { source: 'api', ...token('check', def.CheckID) });
      nChecks++;
    }
    return { services: nServices, checks: nChecks };
  }

  /** The catalog form of a local check. */
  catalogCheck(id: string): CheckRegistration | undefined {
    const c = this.checks.get(id);
    if (!c) return undefined;
    const { Interval, Timeout } = checkTimings(c.def);
    return {
      Node: this.#deps.nodeName,
      CheckID: c.def.CheckID,
      Name: c.def.Name,
      Status: c.status,
      Notes: c.def.Notes,
      Output: c.output,
      ServiceID: c.def.ServiceID,
      Type: c.def.Kind,
      Interval,
      Timeout,
      Definition: {},
    };
  }

  /** Registers a service and its checks in the catalog. */
  syncService(id: string): void {
    const svc = this.services.get(id);
    if (!svc) return;
    const checks = [...this.checks.values()].filter((c) => c.def.ServiceID === id).map((c) => this.catalogCheck(c.def.CheckID) as CheckRegistration);
    this.#send(
      {
        type: 'register',
        reg: {
          Node: this.#deps.nodeName,
          Address: '',
          SkipNodeUpdate: true,
          Service: {
            ID: svc.ID,
            Service: svc.Service,
            Tags: svc.Tags,
            Address: svc.Address,
            ...(svc.TaggedAddresses ? { TaggedAddresses: svc.TaggedAddresses } : {}),
            Meta: svc.Meta,
            Port: svc.Port,
            Weights: svc.Weights,
            EnableTagOverride: svc.EnableTagOverride,
            ...(svc.Kind ? { Kind: svc.Kind } : {}),
          },
          Checks: checks,
        },
      },
      this.serviceToken(id),
      serviceKey(id),
    );
  }

  /** Registers one check in the catalog (with its service when it has one). */
  syncCheck(id: string): void {
    const reg = this.catalogCheck(id);
    if (!reg) return;
    const pending = this.#deferred.get(id);
    if (pending) clearTimeout(pending);
    this.#deferred.delete(id);
    this.#lastSync.set(id, this.#now());
    if (reg.ServiceID && !this.services.has(reg.ServiceID)) return;
    this.#send({ type: 'register', reg: { Node: this.#deps.nodeName, Address: '', SkipNodeUpdate: true, Check: reg } }, this.checkToken(id), this.#checkKey(id));
  }

  /** Pushes every local service and check to the catalog (after start or an outage). */
  syncAll(): void {
    for (const id of this.services.keys()) this.syncService(id);
    for (const [id, c] of this.checks) if (!c.def.ServiceID) this.syncCheck(id);
  }

  /** Sends a command to the catalog with the agent's own token (anti-entropy removing what it does not own). */
  send(command: Command): void {
    const d = command.type === 'deregister' ? command.dereg : undefined;
    this.#send(command, '', d?.ServiceID ? serviceKey(d.ServiceID) : `check:${d?.CheckID ?? ''}`);
  }

  /** The order a check's writes share: its service's, or its own for a node check. */
  #checkKey(id: string): string {
    const serviceId = this.checks.get(id)?.def.ServiceID;
    return serviceId ? serviceKey(serviceId) : `check:${id}`;
  }

  /**
   * Sends a catalog write. Writes about one service (its registration, its checks, its removal)
   * reach the catalog in the order they were made, one after another, as Consul's local state
   * syncs them: a check update sent right after its service's registration must not be applied
   * before it. Writes about different services run concurrently.
   */
  #send(command: Command, token: string, key: string): void {
    if (this.#closed) return;
    const before = this.#pending.get(key);
    const run = () =>
      this.#deps.write(command, token).then(
        () => {},
        (err: unknown) => this.#deps.onError(err),
      );
    const mine = before ? before.then(run) : run();
    this.#pending.set(key, mine);
    void mine.then(() => {
      if (this.#pending.get(key) === mine) this.#pending.delete(key);
    });
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#ttlTimers.values()) t.clear();
    this.#ttlTimers.clear();
    for (const t of this.#deferred.values()) clearTimeout(t);
    this.#deferred.clear();
    for (const id of [...this.#runners.keys()]) this.#stopCheck(id);
  }
}

export function truncateOutput(output: string, limit: number): string {
  const size = Buffer.byteLength(output);
  if (size <= limit) return output;
  return `${Buffer.from(output).subarray(0, limit).toString('utf8')} ... (captured ${limit} of ${size} bytes)`;
}

export { formatDuration };

function setOrDelete(map: Map<string, string>, key: string, value: string | undefined): void {
  if (value) map.set(key, value);
  else map.delete(key);
}

function serviceKey(id: string): string {
  return `service:${id}`;
}
