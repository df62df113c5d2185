/**
 * Keeps the registry equal to what the sidecar wants. Callers replace the
 * wanted services of a container; the writer registers what is new or changed
 * and deregisters what went away, at most one write per service ID at a time.
 * A failed write is kept and retried every retry interval until it succeeds,
 * so a registry outage loses no registration and no deregistration.
 */
import type { Logger } from 'pino';
import type { Backend } from './backend.js';
import type { RegistratorMetrics } from './metrics.js';
import type { DesiredService } from './registration.js';

/** What the registry is believed to hold for an ID; `key` undefined: unknown (a write failed). */
interface Applied {
  readonly name: string;
  readonly key: string | undefined;
  /** Last status written to the sidecar-owned check. */
  readonly status?: string;
}

export interface WriterOptions {
  readonly backend: Backend;
  readonly logger: Logger;
  readonly metrics: RegistratorMetrics;
  readonly retryIntervalMs: number;
  /** Writes in flight at once. */
  readonly concurrency?: number;
}

export class RegistryWriter {
  readonly #o: WriterOptions;
  readonly #concurrency: number;
  readonly #desired = new Map<string, DesiredService>();
  readonly #byContainer = new Map<string, Set<string>>();
  readonly #applied = new Map<string, Applied>();
  readonly #dirty = new Set<string>();
  readonly #inflight = new Set<string>();
  readonly #retrying = new Set<string>();
  #retryTimer: NodeJS.Timeout | undefined;
  #idleWaiters: Array<() => void> = [];
  #stopped = false;

  constructor(options: WriterOptions) {
    this.#o = options;
    this.#concurrency = options.concurrency ?? 16;
  }

  /** Replaces the wanted services of one container (an empty list removes them all). */
  setContainer(containerId: string, services: readonly DesiredService[]): void {
    const before = this.#byContainer.get(containerId) ?? new Set<string>();
    const after = new Set<string>();
    for (const s of services) {
      after.add(s.id);
      const current = this.#desired.get(s.id);
      if (current?.key === s.key && current.containerId === containerId && current.sidecarCheck?.status === s.sidecarCheck?.status) continue;
      this.#desired.set(s.id, s);
      this.#touch(s.id);
    }
    for (const id of before) {
      if (after.has(id) || this.#desired.get(id)?.containerId !== containerId) continue;
      this.#desired.delete(id);
      this.#touch(id);
    }
    if (after.size > 0) this.#byContainer.set(containerId, after);
    else this.#byContainer.delete(containerId);
    this.#o.metrics.services.set(this.#desired.size);
    this.#pump();
  }

  /** Containers that have wanted services. */
  containers(): string[] {
    return [...this.#byContainer.keys()];
  }

  /** Services of a container the writer is keeping (also after it exited, with -deregister on-success). */
  servicesOf(containerId: string): DesiredService[] {
    return [...(this.#byContainer.get(containerId) ?? [])].map((id) => this.#desired.get(id) as DesiredService);
  }

  wanted(): DesiredService[] {
    return [...this.#desired.values()];
  }

  isWanted(id: string): boolean {
    return this.#desired.has(id);
  }

  /** An entry found in the registry that nobody wants: deregister it (with retries). */
  removeStray(id: string, name: string): void {
    if (this.#desired.has(id)) return;
    this.#applied.set(id, { name, key: undefined });
    this.#touch(id);
    this.#pump();
  }

  /** Wanted services the registry lost (e.g. an agent restarted without its data): register them again. */
  reRegister(ids: Iterable<string>): void {
    for (const id of ids) {
      if (!this.#desired.has(id)) continue;
      this.#applied.delete(id);
      this.#touch(id);
    }
    this.#pump();
  }

  /** Wanted services whose current registration is believed to be in the registry. */
  registered(): DesiredService[] {
    return this.wanted().filter((d) => this.#applied.get(d.id)?.key === d.key);
  }

  /** Resolves when every write has been made (failed ones keep being retried). */
  settled(): Promise<void> {
    if (this.#isSettled()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  stop(): void {
    this.#stopped = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  #touch(id: string): void {
    this.#retrying.delete(id);
    this.#dirty.add(id);
  }

  #isSettled(): boolean {
    return this.#dirty.size === 0 && this.#inflight.size === 0 && this.#retrying.size === 0;
  }

  #pump(): void {
    this.#o.metrics.pending.set(this.#dirty.size + this.#retrying.size + this.#inflight.size);
    if (this.#stopped) return;
    for (const id of this.#dirty) {
      if (this.#inflight.size >= this.#concurrency) break;
      if (this.#inflight.has(id)) continue;
      this.#dirty.delete(id);
      const want = this.#desired.get(id);
      const have = this.#applied.get(id);
      if (want && have?.key !== want.key) this.#write(id, () => this.#register(want));
      else if (want?.sidecarCheck && have?.status !== want.sidecarCheck.status) this.#write(id, () => this.#updateCheck(want));
      else if (!want && have) this.#write(id, () => this.#deregister(id, have.name));
    }
    if (this.#isSettled()) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  #write(id: string, op: () => Promise<void>): void {
    this.#inflight.add(id);
    op().then(
      () => {
        this.#inflight.delete(id);
        this.#pump();
      },
      () => {
        this.#inflight.delete(id);
        if (!this.#dirty.has(id)) this.#retrying.add(id);
        this.#scheduleRetry();
        this.#pump();
      },
    );
  }

  async #register(want: DesiredService): Promise<void> {
    try {
      await this.#o.backend.register(want);
    } catch (err) {
      this.#applied.set(want.id, { name: want.name, key: undefined });
      this.#o.metrics.errors.inc({ op: 'register' });
      this.#o.logger.warn({ service: want.id, err: message(err) }, 'register failed; will retry');
      throw err;
    }
    this.#applied.set(want.id, { name: want.name, key: want.key });
    this.#o.metrics.registrations.inc();
    this.#o.logger.info({ service: want.id, name: want.name, address: `${want.address}:${want.port}` }, 'registered');
    // An agent may keep the status a check already had; set it explicitly.
    if (want.sidecarCheck) await this.#updateCheck(want);
  }

  async #updateCheck(want: DesiredService): Promise<void> {
    const check = want.sidecarCheck as NonNullable<DesiredService['sidecarCheck']>;
    let known: boolean;
    try {
      known = await this.#o.backend.heartbeat(check.id, check.status, check.output);
    } catch (err) {
      this.#o.metrics.errors.inc({ op: 'heartbeat' });
      this.#o.logger.warn({ service: want.id, err: message(err) }, 'check update failed; will retry');
      throw err;
    }
    if (!known) {
      // The registry lost the service: register it again on the retry.
      this.#applied.delete(want.id);
      throw new Error(`the registry does not know check ${check.id}`);
    }
    const have = this.#applied.get(want.id);
    if (have) this.#applied.set(want.id, { ...have, status: check.status });
    this.#o.logger.debug({ service: want.id, status: check.status }, 'check updated');
  }

  async #deregister(id: string, name: string): Promise<void> {
    try {
      await this.#o.backend.deregister(id, name);
    } catch (err) {
      this.#o.metrics.errors.inc({ op: 'deregister' });
      this.#o.logger.warn({ service: id, err: message(err) }, 'deregister failed; will retry');
      throw err;
    }
    this.#applied.delete(id);
    this.#o.metrics.deregistrations.inc();
    this.#o.logger.info({ service: id, name }, 'deregistered');
  }

  #scheduleRetry(): void {
    if (this.#retryTimer || this.#stopped) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      for (const id of this.#retrying) this.#dirty.add(id);
      this.#retrying.clear();
      this.#pump();
    }, this.#o.retryIntervalMs);
  }
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
