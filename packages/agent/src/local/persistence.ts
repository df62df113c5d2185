import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HealthStatus } from '@concord/state';
import type { CheckDefinition, ServiceDefinition } from './definitions.js';

interface PersistedService {
  version: 1;
  service: ServiceDefinition;
  /** The ACL token it was registered with (the file is 0600, as Consul keeps it). */
  token?: string;
}

interface PersistedCheck {
  version: 1;
  check: CheckDefinition;
  token?: string;
}

/** The last status of a TTL check and when it expires (Consul's `checks/state`). */
export interface PersistedCheckState {
  status: HealthStatus;
  output: string;
  /** Wall-clock ms at which the TTL runs out. */
  expires: number;
}

function fileName(id: string): string {
  return `${createHash('sha256').update(id).digest('hex').slice(0, 32)}.json`;
}

/** Writes a file atomically: a temp file beside it, then a rename over it. */
function writeAtomic(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, path);
}

/**
 * The services and checks registered through the API, kept under `<data-dir>/local/` (one file
 * per service in `services/`, one per check in `checks/`) so a restarted agent gets them back.
 */
export class LocalPersistence {
  readonly #services: string;
  readonly #checks: string;
  readonly #checkState: string;

  constructor(dir: string) {
    this.#services = join(dir, 'services');
    this.#checks = join(dir, 'checks');
    this.#checkState = join(dir, 'check-state');
    mkdirSync(this.#services, { recursive: true, mode: 0o700 });
    mkdirSync(this.#checks, { recursive: true, mode: 0o700 });
    mkdirSync(this.#checkState, { recursive: true, mode: 0o700 });
  }

  saveCheckState(id: string, state: PersistedCheckState): void {
    writeAtomic(join(this.#checkState, fileName(id)), JSON.stringify({ version: 1, id, ...state }));
  }

  /** The saved state of a TTL check, if any (unreadable files count as none). */
  loadCheckState(id: string): PersistedCheckState | undefined {
    try {
      const v = JSON.parse(readFileSync(join(this.#checkState, fileName(id)), 'utf8')) as Record<string, unknown>;
      if (v.version !== 1 || v.id !== id || typeof v.output !== 'string' || typeof v.expires !== 'number') return undefined;
      if (v.status !== 'passing' && v.status !== 'warning' && v.status !== 'critical') return undefined;
      return { status: v.status, output: v.output, expires: v.expires };
    } catch {
      return undefined;
    }
  }

  deleteCheckState(id: string): void {
    rmSync(join(this.#checkState, fileName(id)), { force: true });
  }

  saveService(service: ServiceDefinition, token?: string): void {
    const body: PersistedService = { version: 1, service, ...(token ? { token } : {}) };
    writeAtomic(join(this.#services, fileName(service.ID)), JSON.stringify(body));
  }

  deleteService(id: string): void {
    rmSync(join(this.#services, fileName(id)), { force: true });
  }

  saveCheck(check: CheckDefinition, token?: string): void {
    const body: PersistedCheck = { version: 1, check, ...(token ? { token } : {}) };
    writeAtomic(join(this.#checks, fileName(check.CheckID)), JSON.stringify(body));
  }

  deleteCheck(id: string): void {
    rmSync(join(this.#checks, fileName(id)), { force: true });
  }

  /**
   * Everything saved, with the registration tokens by `service:<id>` and `check:<id>`; unreadable
   * files are reported through `onBadFile` and skipped.
   */
  load(onBadFile: (path: string, err: unknown) => void = () => {}): { services: ServiceDefinition[]; checks: CheckDefinition[]; tokens: Map<string, string> } {
    const services: ServiceDefinition[] = [];
    const checks: CheckDefinition[] = [];
    const tokens = new Map<string, string>();
    const keepToken = (key: string, v: Record<string, unknown>) => {
      if (typeof v.token === 'string' && v.token) tokens.set(key, v.token);
    };
    for (const [dir, sink] of [
      [
        this.#services,
        (v: Record<string, unknown>) => {
          if (!v.service) return;
          services.push(v.service as ServiceDefinition);
          keepToken(`service:${(v.service as ServiceDefinition).ID}`, v);
        },
      ],
      [
        this.#checks,
        (v: Record<string, unknown>) => {
          if (!v.check) return;
          checks.push(v.check as CheckDefinition);
          keepToken(`check:${(v.check as CheckDefinition).CheckID}`, v);
        },
      ],
    ] as const) {
      for (const name of readdirSync(dir).sort()) {
        const path = join(dir, name);
        if (name.endsWith('.tmp')) {
          rmSync(path, { force: true });
          continue;
        }
        if (!name.endsWith('.json')) continue;
        try {
          const parsed = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
          if (parsed.version !== 1) throw new Error(`unknown version ${String(parsed.version)}`);
          sink(parsed);
        } catch (err) {
          onBadFile(path, err);
        }
      }
    }
    return { services, checks, tokens };
  }
}
