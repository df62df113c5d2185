/**
 * registrator's `consulkv://host:port/prefix` form: one key per service,
 * `<prefix>/<name>/<id>` = `<ip>:<port>` (IPv6 in brackets). Entries carry
 * the owner marker in their Flags so that cleanup can recognise them.
 */
import type { ConsulApi } from '@concord/api';
import type { Backend, RegistryEntry } from './backend.js';
import { OWNER_KV_FLAGS } from './ownership.js';
import type { DesiredService } from './registration.js';

const REQUEST_TIMEOUT_MS = 10_000;

export class ConsulKvBackend implements Backend {
  readonly kind = 'consulkv';
  readonly #api: ConsulApi;
  readonly #prefix: string;

  constructor(api: ConsulApi, prefix: string) {
    this.#api = api;
    this.#prefix = prefix;
  }

  async ping(): Promise<void> {
    await this.#api.status.leader({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  }

  async register(service: DesiredService): Promise<void> {
    const host = service.address.includes(':') ? `[${service.address}]` : service.address;
    await this.#api.kv.put(this.#key(service.name, service.id), `${host}:${service.port}`, {
      flags: OWNER_KV_FLAGS,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  }

  async deregister(id: string, name: string): Promise<void> {
    await this.#api.kv.delete(this.#key(name, id), { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  }

  async entries(): Promise<RegistryEntry[]> {
    const { value } = await this.#api.kv.list(`${this.#prefix}/`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const out: RegistryEntry[] = [];
    for (const pair of value) {
      const rest = pair.Key.slice(this.#prefix.length + 1);
      const slash = rest.indexOf('/');
      if (slash <= 0) continue;
      out.push({ name: rest.slice(0, slash), id: rest.slice(slash + 1), marked: pair.Flags === OWNER_KV_FLAGS });
    }
    return out;
  }

  /** KV entries have no checks. */
  async heartbeat(): Promise<boolean> {
    return true;
  }

  #key(name: string, id: string): string {
    return `${this.#prefix}/${name}/${id}`;
  }
}
