import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckDefinition, ServiceDefinition } from './definitions.js';

interface PersistedService {
  version: 1;
  service: ServiceDefinition;
}

interface PersistedCheck {
  version: 1;
  check: CheckDefinition;
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

  constructor(dir: string) {
    this.#services = join(dir, 'services');
    this.#checks = join(dir, 'checks');
    mkdirSync(this.#services, { recursive: true });
    mkdirSync(this.#checks, { recursive: true });
  }

  saveService(service: ServiceDefinition): void {
    const body: PersistedService = { version: 1, service };
    writeAtomic(join(this.#services, fileName(service.ID)), JSON.stringify(body));
  }

  deleteService(id: string): void {
    rmSync(join(this.#services, fileName(id)), { force: true });
  }

  saveCheck(check: CheckDefinition): void {
    const body: PersistedCheck = { version: 1, check };
    writeAtomic(join(this.#checks, fileName(check.CheckID)), JSON.stringify(body));
  }

  deleteCheck(id: string): void {
    rmSync(join(this.#checks, fileName(id)), { force: true });
  }

  /** Everything saved; unreadable files are reported through `onBadFile` and skipped. */
  load(onBadFile: (path: string, err: unknown) => void = () => {}): { services: ServiceDefinition[]; checks: CheckDefinition[] } {
    const services: ServiceDefinition[] = [];
    const checks: CheckDefinition[] = [];
    for (const [dir, sink] of [
      [this.#services, (v: Record<string, unknown>) => v.service && services.push(v.service as ServiceDefinition)],
      [this.#checks, (v: Record<string, unknown>) => v.check && checks.push(v.check as CheckDefinition)],
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
    return { services, checks };
  }
}
