/**
 * The sidecar: makes the registry list exactly the services of the containers
 * running on this host.
 *
 * Every Docker event, the start-up listing, each resync and each event-stream
 * reconnect lead to the same step, `reconcile(container)`: inspect the container
 * now, work out the services it should have, and hand them to the writer.
 * Steps for one container run one at a time and in order (a burst coalesces to
 * one more step), so a `die` handled after the `start` of a restart still sees a
 * running container and keeps its services.
 */
import { ConsulApi } from '@concord/api';
import type { Logger } from 'pino';
import type { Backend } from './backend.js';
import { ConsulBackend } from './consul-backend.js';
import { ConsulKvBackend } from './consulkv-backend.js';
import { type DockerClient, dockerClient } from './docker-client.js';
import { DockerEventWatch } from './docker-events.js';
import type { ContainerInspect, ContainerState, DockerEvent } from './docker-types.js';
import { RegistratorStartError } from './errors.js';
import { type CompiledTemplate, compileTemplate, TemplateError } from './tags-template.js';
import { detectHostIp } from './host-ip.js';
import { KeyedQueue, Limiter } from './keyed-queue.js';
import { createLogger } from './logger.js';
import { RegistratorMetrics } from './metrics.js';
import { containerIp, sharedNetworkContainer } from './network.js';
import { type RegistratorOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { ownedBy } from './ownership.js';
import { type DesiredService, toDesired } from './registration.js';
import { RegistryWriter, message } from './registry-writer.js';
import { buildServices } from './service-model.js';
import { splitTags } from './tags.js';
import { RegistratorConfigError } from './errors.js';

export interface RegistratorRuntime {
  /** `-docker`: socket path or URL; default from `DOCKER_HOST`, else /var/run/docker.sock. */
  readonly dockerAddress?: string;
  /** A Docker client to use instead of connecting to `dockerAddress`. */
  readonly docker?: DockerClient;
  /** A registry backend to use instead of the one the registry URI names. */
  readonly backend?: Backend;
  readonly logger?: Logger;
  readonly metrics?: RegistratorMetrics;
}

/** The container events that can change what a container should have registered. */
const EVENTS = ['start', 'die', 'destroy', 'health_status', 'rename', 'pause', 'unpause'];
const DOCKER_CONCURRENCY = 8;

export class Registrator {
  /** Host identity used in service IDs. */
  readonly hostname: string;
  /** Address registered for ports bound to all interfaces. */
  readonly hostIp: string;
  readonly metrics: RegistratorMetrics;
  readonly #o: ResolvedOptions;
  readonly #docker: DockerClient;
  readonly #backend: Backend;
  readonly #log: Logger;
  readonly #template: CompiledTemplate | undefined;
  readonly #writer: RegistryWriter;
  readonly #queue = new KeyedQueue();
  readonly #dockerLimit = new Limiter(DOCKER_CONCURRENCY);
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #watch: DockerEventWatch;
  #syncing: Promise<void> | undefined;
  #stopped = false;

  private constructor(
    o: ResolvedOptions,
    hostname: string,
    deps: { docker: DockerClient; backend: Backend; log: Logger; metrics: RegistratorMetrics; template: CompiledTemplate | undefined },
  ) {
    this.#o = o;
    this.hostname = hostname;
    this.hostIp = o.ip ?? detectHostIp();
    this.#docker = deps.docker;
    this.#backend = deps.backend;
    this.#log = deps.log;
    this.metrics = deps.metrics;
    this.#template = deps.template;
    this.#writer = new RegistryWriter({ backend: deps.backend, logger: deps.log, metrics: deps.metrics, retryIntervalMs: o.retryInterval });
    const filters: Record<string, string[]> = { type: ['container'], event: EVENTS };
    if (o.requireLabel) filters.label = [o.requireLabel];
    this.#watch = new DockerEventWatch({
      docker: deps.docker,
      filters,
      logger: deps.log,
      onEvent: (e) => this.#onEvent(e),
      onReconnect: () => void this.#periodicSync('reconnect'),
      onError: () => this.metrics.errors.inc({ op: 'events' }),
    });
  }

  /**
   * Validates the options, pings the registry (with `-retry-attempts`), follows
   * Docker events, registers what already runs, then starts the resync and TTL
   * timers. Rejects with {@link RegistratorConfigError} or {@link RegistratorStartError}.
   */
  static async start(options: RegistratorOptions, runtime: RegistratorRuntime = {}): Promise<Registrator> {
    const o = resolveOptions(options);
    const log = runtime.logger ?? createLogger();
    const metrics = runtime.metrics ?? new RegistratorMetrics();
    let template: CompiledTemplate | undefined;
    if (o.tags) {
      try {
        template = compileTemplate(o.tags);
      } catch (err) {
        throw new RegistratorConfigError(`-tags: ${message(err)}`);
      }
    }
    const docker = runtime.docker ?? dockerClient(runtime.dockerAddress);
    const backend = runtime.backend ?? backendFor(o);
    let hostname = o.hostname;
    if (!hostname) {
      try {
        hostname = await docker.hostName();
      } catch (err) {
        throw new RegistratorStartError(`cannot reach Docker: ${message(err)}`, { cause: err });
      }
      if (!hostname) throw new RegistratorStartError('Docker reported no host name; give one with -hostname');
    }
    await pingWithRetries(backend, o, log);
    const r = new Registrator(o, hostname, { docker, backend, log, metrics, template });
    try {
      await r.#watch.start();
    } catch (err) {
      throw new RegistratorStartError(`cannot follow Docker events: ${message(err)}`, { cause: err });
    }
    log.info({ hostname, hostIp: r.hostIp, registry: o.registry, internal: o.internal, deregister: o.deregister }, 'registrator started');
    try {
      await r.sync({ verify: false });
    } catch (err) {
      r.#watch.stop();
      throw new RegistratorStartError(`initial sync failed: ${message(err)}`, { cause: err });
    }
    r.#startTimers();
    return r;
  }

  /**
   * Full reconciliation: every running container and every container with
   * services is reconciled; with `verify`, services the registry lost are
   * registered again; with `-cleanup`, strays this sidecar owns are removed.
   */
  async sync({ verify = true }: { verify?: boolean } = {}): Promise<void> {
    const filters: Record<string, string[]> = { status: ['running'] };
    if (this.#o.requireLabel) filters.label = [this.#o.requireLabel];
    const running = await this.#dockerLimit.run(() => this.#docker.listContainers({ filters }));
    const ids = new Set([...running.map((c) => c.Id), ...this.#writer.containers()]);
    await Promise.all([...ids].map((id) => this.#reconcileSoon(id)));
    await this.#writer.settled();
    if (verify) await this.#verify();
    if (this.#o.cleanup) await this.#cleanup();
  }

  /** Resolves once no container step is pending and every write has been made. */
  async settled(): Promise<void> {
    await this.#queue.idle();
    await this.#writer.settled();
  }

  /** What the sidecar currently wants registered. */
  services(): readonly DesiredService[] {
    return this.#writer.wanted();
  }

  /** Stops following Docker and all timers. Registrations stay, as with registrator. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#watch.stop();
    for (const t of this.#timers) clearInterval(t);
    await this.#queue.idle().catch(() => undefined);
    this.#writer.stop();
    this.#log.info('registrator stopped');
  }

  #startTimers(): void {
    if (this.#o.resync > 0) {
      this.#timers.push(setInterval(() => void this.#periodicSync('resync'), this.#o.resync * 1000));
    }
    if (this.#o.ttlRefresh > 0) {
      this.#timers.push(setInterval(() => void this.#heartbeat(), this.#o.ttlRefresh * 1000));
    }
  }

  #periodicSync(reason: string): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#syncing) return this.#syncing;
    this.#log.debug({ reason }, 'sync');
    this.#syncing = this.sync().then(
      () => {
        this.#syncing = undefined;
      },
      (err: unknown) => {
        this.#syncing = undefined;
        this.metrics.errors.inc({ op: 'sync' });
        this.#log.warn({ reason, err: message(err) }, 'sync failed; will try again');
      },
    );
    return this.#syncing;
  }

  #onEvent(event: DockerEvent): void {
    if (event.Type !== undefined && event.Type !== 'container') return;
    const id = event.Actor?.ID;
    if (!id || this.#stopped) return;
    if (typeof event.timeNano === 'number') {
      this.metrics.eventLag.observe(Math.max(0, Date.now() - event.timeNano / 1e6) / 1000);
    }
    this.#log.debug({ container: id.slice(0, 12), action: event.Action, name: event.Actor?.Attributes?.name }, 'Docker event');
    void this.#reconcileSoon(id);
  }

  #reconcileSoon(id: string): Promise<void> {
    return this.#queue.run(id, () => this.#reconcile(id));
  }

  async #reconcile(id: string): Promise<void> {
    if (this.#stopped) return;
    let inspect: ContainerInspect | undefined;
    try {
      inspect = await this.#dockerLimit.run(() => this.#docker.inspect(id));
    } catch (err) {
      this.metrics.errors.inc({ op: 'inspect' });
      this.#log.warn({ container: id.slice(0, 12), err: message(err) }, 'inspect failed; will try again');
      const timer = setTimeout(() => void this.#reconcileSoon(id), this.#o.retryInterval);
      timer.unref();
      return;
    }
    const short = id.slice(0, 12);
    if (!inspect) {
      this.#log.debug({ container: short }, 'container is gone');
      this.#writer.setContainer(id, []);
      return;
    }
    if (!this.#labelMatches(inspect)) {
      this.#writer.setContainer(id, []);
      return;
    }
    const state = inspect.State ?? {};
    // A container waiting out its restart-policy delay reports Running and Restarting: it is down.
    if (!state.Running || state.Restarting) {
      if (this.#o.deregister === 'on-success' && keepAfterExit(state)) {
        this.#log.debug({ container: short, exitCode: state.ExitCode }, 'exited with an error; keeping its services (-deregister on-success)');
        return;
      }
      this.#log.debug({ container: short, status: state.Status, exitCode: state.ExitCode }, 'container is not running');
      this.#writer.setContainer(id, []);
      return;
    }
    const { services, notes } = buildServices(inspect, {
      hostname: this.hostname,
      hostIp: this.hostIp,
      internal: this.#o.internal,
      explicit: this.#o.explicit,
      extraTags: await this.#extraTags(inspect),
      ...(this.#o.ip ? { forcedIp: this.#o.ip } : {}),
      ...(this.#o.useIpFromLabel ? { useIpFromLabel: this.#o.useIpFromLabel } : {}),
      ...(await this.#sharedNetworkIp(inspect)),
    });
    for (const note of notes) this.#log.debug({ container: short, name: inspect.Name }, note);
    const health = state.Health?.Status;
    this.#writer.setContainer(
      id,
      services.map((s) => toDesired(s, { ttl: this.#o.ttl, ...(health ? { health } : {}) })),
    );
  }

  #labelMatches(inspect: ContainerInspect): boolean {
    const want = this.#o.requireLabel;
    if (!want) return true;
    const eq = want.indexOf('=');
    const labels = inspect.Config?.Labels ?? {};
    if (eq === -1) return want in labels;
    return labels[want.slice(0, eq)] === want.slice(eq + 1);
  }

  async #extraTags(inspect: ContainerInspect): Promise<string[]> {
    if (!this.#template) return [];
    try {
      return splitTags(await this.#template.render(inspect));
    } catch (err) {
      this.metrics.errors.inc({ op: 'tags' });
      this.#log.error({ container: inspect.Id.slice(0, 12), err: err instanceof TemplateError ? err.message : message(err) }, '-tags template failed');
      return [];
    }
  }

  async #sharedNetworkIp(inspect: ContainerInspect): Promise<{ sharedNetworkIp?: string }> {
    const target = sharedNetworkContainer(inspect);
    if (!target) return {};
    try {
      const other = await this.#dockerLimit.run(() => this.#docker.inspect(target));
      const ip = other ? containerIp(other) : undefined;
      return ip ? { sharedNetworkIp: ip } : {};
    } catch (err) {
      this.#log.warn({ container: inspect.Id.slice(0, 12), network: target, err: message(err) }, 'cannot inspect the network container');
      return {};
    }
  }

  /** Registers again what the registry no longer has (an agent that restarted without its data). */
  async #verify(): Promise<void> {
    const present = new Set((await this.#backend.entries()).map((e) => e.id));
    const lost = this.#writer.registered().filter((d) => !present.has(d.id));
    if (lost.length === 0) return;
    this.#log.info({ count: lost.length }, 'registry lost services; registering them again');
    this.#writer.reRegister(lost.map((d) => d.id));
    await this.#writer.settled();
  }

  /**
   * Removes registry entries this sidecar owns (its ID pattern, its host name,
   * its marker) that no container wants. With `-deregister on-success`, entries
   * of containers that exited with an error are kept.
   */
  async #cleanup(): Promise<void> {
    const strays = (await this.#backend.entries()).filter((e) => !this.#writer.isWanted(e.id) && ownedBy(this.hostname, e.id, e.marked) !== undefined);
    if (strays.length === 0) return;
    const keep = this.#o.deregister === 'on-success' ? await this.#failedContainerNames() : new Set<string>();
    for (const e of strays) {
      const container = ownedBy(this.hostname, e.id, e.marked)?.container as string;
      if (keep.has(container)) continue;
      this.#log.info({ service: e.id }, 'removing dangling service');
      this.#writer.removeStray(e.id, e.name);
    }
    await this.#writer.settled();
  }

  async #failedContainerNames(): Promise<Set<string>> {
    const all = await this.#dockerLimit.run(() => this.#docker.listContainers({ all: true, filters: { status: ['exited'] } }));
    const names = new Set<string>();
    await Promise.all(
      all.map(async (c) => {
        const inspect = await this.#dockerLimit.run(() => this.#docker.inspect(c.Id));
        if (inspect && keepAfterExit(inspect.State ?? {})) names.add(inspect.Name.replace(/^\//, ''));
      }),
    );
    return names;
  }

  async #heartbeat(): Promise<void> {
    const due = this.#writer.registered().filter((d) => d.sidecarCheck);
    const lost: string[] = [];
    await Promise.all(
      due.map(async (d) => {
        const check = d.sidecarCheck as NonNullable<DesiredService['sidecarCheck']>;
        try {
          if (!(await this.#backend.heartbeat(check.id, check.status, check.output))) lost.push(d.id);
        } catch (err) {
          this.metrics.errors.inc({ op: 'heartbeat' });
          this.#log.warn({ service: d.id, err: message(err) }, 'heartbeat failed');
        }
      }),
    );
    if (lost.length > 0) {
      this.#log.info({ count: lost.length }, 'registry lost services; registering them again');
      this.#writer.reRegister(lost);
    }
  }
}

/** `-deregister on-success`: keep the services of a container that exited with an error (not a signal). */
export function keepAfterExit(state: ContainerState): boolean {
  const code = state.ExitCode ?? 0;
  return code !== 0 && (code & 128) === 0;
}

function backendFor(o: ResolvedOptions): Backend {
  const api = new ConsulApi({ address: o.registry.address });
  return o.registry.kind === 'consulkv' ? new ConsulKvBackend(api, o.registry.prefix) : new ConsulBackend(api);
}

async function pingWithRetries(backend: Backend, o: ResolvedOptions, log: Logger): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await backend.ping();
      return;
    } catch (err) {
      const last = o.retryAttempts !== -1 && attempt >= o.retryAttempts;
      if (last) throw new RegistratorStartError(`cannot reach the registry at ${o.registry.address}: ${message(err)}`, { cause: err });
      log.warn({ attempt: attempt + 1, err: message(err) }, 'registry not reachable; retrying');
      await new Promise((resolve) => setTimeout(resolve, o.retryInterval));
    }
  }
}
