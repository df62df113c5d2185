/** `/v1/agent`: the local agent's own state, services, checks and membership. */
import type { RequestOptions } from './options.js';
import { escapeSegment, type Transport } from './transport.js';
import type { AgentCheckRegistration, AgentMember, AgentSelf, AgentService, AgentServiceRegistration, HealthCheck, HealthStatus } from './types.js';

export interface MembersOptions extends RequestOptions {
  /** List the WAN pool (servers only). */
  readonly wan?: boolean;
  readonly filter?: string;
}

export interface ServiceRegisterOptions extends RequestOptions {
  /** Drop checks of an existing registration that the new one does not mention. */
  readonly replaceExistingChecks?: boolean;
}

export interface ForceLeaveOptions extends RequestOptions {
  /** Remove the member from the list entirely. */
  readonly prune?: boolean;
  readonly wan?: boolean;
}

export class Agent {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  self(options?: RequestOptions): Promise<AgentSelf> {
    return this.#t.json<AgentSelf>({ method: 'GET', path: '/v1/agent/self', options });
  }

  async members(options?: MembersOptions): Promise<AgentMember[]> {
    const list = await this.#t.json<AgentMember[] | null>({
      method: 'GET',
      path: '/v1/agent/members',
      params: { wan: options?.wan, filter: options?.filter },
      options,
    });
    return list ?? [];
  }

  /** Services registered with this agent, keyed by service ID. */
  async services(options?: RequestOptions & { readonly filter?: string }): Promise<Record<string, AgentService>> {
    const map = await this.#t.json<Record<string, AgentService> | null>({
      method: 'GET',
      path: '/v1/agent/services',
      params: { filter: options?.filter },
      options,
    });
    return map ?? {};
  }

  /** One local service; `undefined` when the agent does not know the ID. */
  async service(id: string, options?: RequestOptions): Promise<AgentService | undefined> {
    const res = await this.#t.call({ method: 'GET', path: `/v1/agent/service/${escapeSegment(id)}`, options }, [404]);
    if (res.status === 404) return undefined;
    return JSON.parse(res.body.toString('utf8')) as AgentService;
  }

  serviceRegister(service: AgentServiceRegistration, options?: ServiceRegisterOptions): Promise<void> {
    return this.#t.none({
      method: 'PUT',
      path: '/v1/agent/service/register',
      params: { 'replace-existing-checks': options?.replaceExistingChecks },
      json: service,
      options,
    });
  }

  serviceDeregister(id: string, options?: RequestOptions): Promise<void> {
    return this.#t.none({ method: 'PUT', path: `/v1/agent/service/deregister/${escapeSegment(id)}`, options });
  }

  /** Checks registered with this agent, keyed by check ID. */
  async checks(options?: RequestOptions & { readonly filter?: string }): Promise<Record<string, HealthCheck>> {
    const map = await this.#t.json<Record<string, HealthCheck> | null>({
      method: 'GET',
      path: '/v1/agent/checks',
      params: { filter: options?.filter },
      options,
    });
    return map ?? {};
  }

  checkRegister(check: AgentCheckRegistration, options?: RequestOptions): Promise<void> {
    return this.#t.none({ method: 'PUT', path: '/v1/agent/check/register', json: check, options });
  }

  checkDeregister(id: string, options?: RequestOptions): Promise<void> {
    return this.#t.none({ method: 'PUT', path: `/v1/agent/check/deregister/${escapeSegment(id)}`, options });
  }

  /** Marks a TTL check passing; `note` becomes its output. */
  checkPass(id: string, note?: string, options?: RequestOptions): Promise<void> {
    return this.#ttl('pass', id, note, options);
  }

  checkWarn(id: string, note?: string, options?: RequestOptions): Promise<void> {
    return this.#ttl('warn', id, note, options);
  }

  checkFail(id: string, note?: string, options?: RequestOptions): Promise<void> {
    return this.#ttl('fail', id, note, options);
  }

  /** Sets a TTL check's status and output in one call. */
  checkUpdate(id: string, status: HealthStatus, output?: string, options?: RequestOptions): Promise<void> {
    return this.#t.none({
      method: 'PUT',
      path: `/v1/agent/check/update/${escapeSegment(id)}`,
      json: { Status: status, Output: output ?? '' },
      options,
    });
  }

  join(address: string, options?: RequestOptions & { readonly wan?: boolean }): Promise<void> {
    return this.#t.none({
      method: 'PUT',
      path: `/v1/agent/join/${escapeSegment(address)}`,
      params: { wan: options?.wan },
      options,
    });
  }

  /** Leaves the cluster gracefully; the agent then shuts down. */
  leave(options?: RequestOptions): Promise<void> {
    return this.#t.none({ method: 'PUT', path: '/v1/agent/leave', options });
  }

  forceLeave(node: string, options?: ForceLeaveOptions): Promise<void> {
    return this.#t.none({
      method: 'PUT',
      path: `/v1/agent/force-leave/${escapeSegment(node)}`,
      params: { prune: options?.prune, wan: options?.wan },
      options,
    });
  }

  /** Puts the whole node into (or out of) maintenance mode. */
  maintenance(enable: boolean, reason?: string, options?: RequestOptions): Promise<void> {
    return this.#t.none({
      method: 'PUT',
      path: '/v1/agent/maintenance',
      params: { enable: String(enable), reason: reason || undefined },
      options,
    });
  }

  /** Puts one service into (or out of) maintenance mode. */
  serviceMaintenance(id: string, enable: boolean, reason?: string, options?: RequestOptions): Promise<void> {
    return this.#t.none({
      method: 'PUT',
      path: `/v1/agent/service/maintenance/${escapeSegment(id)}`,
      params: { enable: String(enable), reason: reason || undefined },
      options,
    });
  }

  /** Reloads the agent's configuration files. */
  reload(options?: RequestOptions): Promise<void> {
    return this.#t.none({ method: 'PUT', path: '/v1/agent/reload', options });
  }

  #ttl(kind: 'pass' | 'warn' | 'fail', id: string, note: string | undefined, options?: RequestOptions): Promise<void> {
    return this.#t.none({
      method: 'PUT',
      path: `/v1/agent/check/${kind}/${escapeSegment(id)}`,
      params: { note: note || undefined },
      options,
    });
  }
}
