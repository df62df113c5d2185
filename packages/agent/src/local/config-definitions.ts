/**
 * The services and checks that come from config files. At start and on every reload
 * (`concord reload`, SIGHUP) the new set is compared with the one applied before: new and
 * changed definitions are registered, vanished ones are removed, unchanged ones are left
 * running. Check statuses survive a reload, as in Consul.
 */
import { type CheckDefinition, type ServiceDefinition, parseCheckDefinition, parseServiceDefinition } from './definitions.js';
import type { LocalState } from './local-state.js';

interface ParsedService {
  key: string;
  service: ServiceDefinition;
  checks: CheckDefinition[];
  token: string;
}

interface ParsedCheck {
  key: string;
  check: CheckDefinition;
  token: string;
}

/** A definition's `Token` (what its catalog writes use); the definition parser has checked it is a string. */
function tokenOf(raw: Record<string, unknown>): string {
  const t = raw.Token ?? raw.token;
  return typeof t === 'string' ? t : '';
}

export class ConfigDefinitions {
  readonly #local: LocalState;
  /** What was applied last, by ID: the definition as a canonical string. */
  #services = new Map<string, string>();
  #checks = new Map<string, string>();

  constructor(local: LocalState) {
    this.#local = local;
  }

  /**
   * Applies the definitions of the current config files. Every definition is validated before
   * anything changes, so a bad file leaves the running set as it was (the error is thrown).
   */
  apply(rawServices: readonly Record<string, unknown>[], rawChecks: readonly Record<string, unknown>[]): void {
    const services: ParsedService[] = rawServices.map((raw) => {
      const { service, checks } = parseServiceDefinition(raw);
      const token = tokenOf(raw);
      return { key: JSON.stringify({ service, checks, token }), service, checks, token };
    });
    const checks: ParsedCheck[] = rawChecks.map((raw) => {
      const check = parseCheckDefinition(raw);
      const token = tokenOf(raw);
      return { key: JSON.stringify({ check, token }), check, token };
    });
    const local = this.#local;
    const nextServices = new Map(services.map((s) => [s.service.ID, s.key]));
    const nextChecks = new Map(checks.map((c) => [c.check.CheckID, c.key]));

    for (const id of this.#services.keys()) {
      if (!nextServices.has(id) && local.serviceSources.get(id) === 'config') local.removeService(id);
    }
    for (const id of this.#checks.keys()) {
      if (!nextChecks.has(id) && local.checks.get(id)?.source === 'config') local.removeCheck(id);
    }
    for (const { key, service, checks: serviceChecks, token } of services) {
      if (this.#services.get(service.ID) === key && local.serviceSources.get(service.ID) === 'config') continue;
      local.addService(service, serviceChecks, true, { source: 'config', token });
    }
    for (const { key, check, token } of checks) {
      if (this.#checks.get(check.CheckID) === key && local.checks.get(check.CheckID)?.source === 'config') continue;
      local.addCheck(check, { source: 'config', keepStatus: true, token });
    }
    this.#services = nextServices;
    this.#checks = nextChecks;
  }
}
