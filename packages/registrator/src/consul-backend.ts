/** Agent service registrations: the four agent calls registrator makes, plus TTL updates. */
import { ApiError, type ConsulApi, type HealthStatus } from '@concord/api';
import type { Backend, RegistryEntry } from './backend.js';
import { OWNER_META_KEY, OWNER_META_VALUE } from './ownership.js';
import type { DesiredService } from './registration.js';

const REQUEST_TIMEOUT_MS = 10_000;

export class ConsulBackend implements Backend {
  readonly kind = 'consul';
  readonly #api: ConsulApi;

  constructor(api: ConsulApi) {
    this.#api = api;
  }

  async ping(): Promise<void> {
    await this.#api.status.leader({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  }

  register(service: DesiredService): Promise<void> {
    return this.#api.agent.serviceRegister(service.registration, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  }

  async deregister(id: string): Promise<void> {
    try {
      await this.#api.agent.serviceDeregister(id, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
  }

  async entries(): Promise<RegistryEntry[]> {
    const services = await this.#api.agent.services({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    return Object.values(services).map((s) => ({ id: s.ID, name: s.Service, marked: s.Meta?.[OWNER_META_KEY] === OWNER_META_VALUE }));
  }

  async heartbeat(checkId: string, status: HealthStatus, output: string): Promise<boolean> {
    try {
      await this.#api.agent.checkUpdate(checkId, status, output, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      return true;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || /unknown check|does not have associated TTL/i.test(err.body))) return false;
      throw err;
    }
  }
}
