import type { CheckRegistration, Command, HealthStatus } from '@concord/state';
import { formatDuration } from '../config/duration.js';
import { type CheckDefinition, type ServiceDefinition, checkTimings } from './definitions.js';

/** Consul truncates check output to this many bytes by default. */
const OUTPUT_LIMIT = 4096;

export interface LocalCheck {
  def: CheckDefinition;
  status: HealthStatus;
  output: string;
  /** The last note given to a TTL update, quoted when the TTL expires. */
  lastNote: string;
}

export interface LocalStateDeps {
  nodeName: string;
  /** Applies a catalog command (register/deregister). Failures are logged and retried by a later sync. */
  write(command: Command): Promise<unknown>;
  onError(err: unknown): void;
}

/**
 * The services and checks this agent owns. Every change is pushed to the catalog at once;
 * TTL checks expire here.
 */
export class LocalState {
  readonly services = new Map<string, ServiceDefinition>();
  readonly checks = new Map<string, LocalCheck>();
  readonly #ttlTimers = new Map<string, NodeJS.Timeout>();
  readonly #deps: LocalStateDeps;
  #closed = false;

  constructor(deps: LocalStateDeps) {
    this.#deps = deps;
  }

  addService(service: ServiceDefinition, checks: CheckDefinition[], replaceExistingChecks = false): void {
    const existing = this.services.get(service.ID);
    this.services.set(service.ID, service);
    if (existing && replaceExistingChecks) {
      for (const [id, c] of this.checks) {
        if (c.def.ServiceID === service.ID && !checks.some((n) => n.CheckID === id)) this.removeCheck(id);
      }
    }
    if (existing && existing.Service !== service.Service) {
      // re-registering an ID under another name: the catalog replaces it with the register below
    }
    for (const c of checks) this.#putCheck(c, false);
    this.#syncService(service.ID);
  }

  removeService(id: string): boolean {
    if (!this.services.has(id)) return false;
    for (const [cid, c] of [...this.checks]) {
      if (c.def.ServiceID === id) {
        this.#stopTtl(cid);
        this.checks.delete(cid);
      }
    }
    this.services.delete(id);
    this.#send({ type: 'deregister', dereg: { Node: this.#deps.nodeName, ServiceID: id } });
    return true;
  }

  addCheck(def: CheckDefinition): void {
    this.#putCheck(def, true);
  }

  #putCheck(def: CheckDefinition, sync: boolean): void {
    const prev = this.checks.get(def.CheckID);
    const check: LocalCheck = {
      def,
      status: def.Status,
      output: prev && prev.def.Kind === def.Kind ? prev.output : '',
      lastNote: '',
    };
    this.checks.set(def.CheckID, check);
    if (def.Kind === 'ttl') this.#armTtl(def.CheckID);
    else this.#stopTtl(def.CheckID);
    if (sync) this.#syncCheck(def.CheckID);
  }

  removeCheck(id: string): boolean {
    if (!this.checks.has(id)) return false;
    this.#stopTtl(id);
    this.checks.delete(id);
    this.#send({ type: 'deregister', dereg: { Node: this.#deps.nodeName, CheckID: id } });
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
    }
    if (check.status === status && check.output === limited) return;
    check.status = status;
    check.output = limited;
    this.#syncCheck(id);
  }

  #armTtl(id: string): void {
    this.#stopTtl(id);
    const check = this.checks.get(id);
    if (!check?.def.ttlMs || this.#closed) return;
    const timer = setTimeout(() => {
      this.#ttlTimers.delete(id);
      const c = this.checks.get(id);
      if (!c) return;
      const output = c.lastNote ? `TTL expired (last output before timeout follows): ${c.lastNote}` : 'TTL expired';
      if (c.status !== 'critical' || c.output !== output) {
        c.status = 'critical';
        c.output = output;
        this.#syncCheck(id);
      }
    }, check.def.ttlMs);
    timer.unref();
    this.#ttlTimers.set(id, timer);
  }

  #stopTtl(id: string): void {
    const t = this.#ttlTimers.get(id);
    if (t) clearTimeout(t);
    this.#ttlTimers.delete(id);
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

  #syncService(id: string): void {
    const svc = this.services.get(id);
    if (!svc) return;
    const checks = [...this.checks.values()]
      .filter((c) => c.def.ServiceID === id)
      .map((c) => this.catalogCheck(c.def.CheckID) as CheckRegistration);
    this.#send({
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
    });
  }

  #syncCheck(id: string): void {
    const reg = this.catalogCheck(id);
    if (!reg) return;
    if (reg.ServiceID && !this.services.has(reg.ServiceID)) return;
    this.#send({ type: 'register', reg: { Node: this.#deps.nodeName, Address: '', SkipNodeUpdate: true, Check: reg } });
  }

  /** Pushes every local service and check to the catalog (after start or an outage). */
  syncAll(): void {
    for (const id of this.services.keys()) this.#syncService(id);
    for (const [id, c] of this.checks) if (!c.def.ServiceID) this.#syncCheck(id);
  }

  #send(command: Command): void {
    if (this.#closed) return;
    this.#deps.write(command).catch((err: unknown) => this.#deps.onError(err));
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#ttlTimers.values()) clearTimeout(t);
    this.#ttlTimers.clear();
  }
}

export function truncateOutput(output: string, limit: number): string {
  const size = Buffer.byteLength(output);
  if (size <= limit) return output;
  return `${Buffer.from(output).subarray(0, limit).toString('utf8')} ... (captured ${limit} of ${size} bytes)`;
}

export { formatDuration };
