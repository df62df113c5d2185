/**
 * The registry's view of a service: the agent registration body (owner marker,
 * the derived check, and the sidecar-owned check) plus what the writer needs
 * to compare and heartbeat it.
 */
import type { AgentCheckRegistration, AgentServiceRegistration, HealthStatus } from '@concord/api';
import { OWNER_META_KEY, OWNER_META_VALUE } from './ownership.js';
import type { ServiceSpec } from './service-model.js';

export interface DesiredService {
  readonly id: string;
  readonly name: string;
  readonly containerId: string;
  readonly address: string;
  readonly port: number;
  readonly registration: AgentServiceRegistration;
  /**
   * Canonical text of the registration without the sidecar check's status: a
   * change means "register again" (a status change is a check update instead).
   */
  readonly key: string;
  /** The sidecar-owned TTL check, when there is one. */
  readonly sidecarCheck?: { readonly id: string; readonly status: HealthStatus; readonly output: string };
}

export interface SidecarCheckOptions {
  /** `-ttl` seconds; 0 for none. */
  readonly ttl: number;
  /** Docker's `State.Health.Status`, when the image has a HEALTHCHECK. */
  readonly health?: string;
}

/**
 * TTL of the Docker-health check when the sidecar does not heartbeat (-ttl 0): its status
 * changes on Docker events. Twenty days, below the 24.8 days a Node.js timer can hold.
 */
const EVENT_DRIVEN_TTL = '480h';

export function sidecarCheckId(serviceId: string): string {
  return `service:${serviceId}:sidecar`;
}

export function toDesired(spec: ServiceSpec, options: SidecarCheckOptions): DesiredService {
  const sidecar = sidecarCheck(spec.id, options);
  const checks: AgentCheckRegistration[] = [];
  if (spec.check) checks.push(sidecar ? { ...spec.check, CheckID: `service:${spec.id}`, Name: `Service '${spec.name}' check` } : spec.check);
  if (sidecar) checks.push(sidecar.registration);
  const registration: AgentServiceRegistration = {
    ID: spec.id,
    Name: spec.name,
    Address: spec.address,
    Port: spec.port,
    Tags: spec.tags,
    Meta: { ...spec.meta, [OWNER_META_KEY]: OWNER_META_VALUE },
    ...(checks.length === 1 && !sidecar ? { Check: checks[0] } : {}),
    ...(sidecar ? { Checks: checks } : {}),
  };
  return {
    id: spec.id,
    name: spec.name,
    containerId: spec.containerId,
    address: spec.address,
    port: spec.port,
    registration,
    key: JSON.stringify(registration, (k, v: unknown) => (k === 'Status' ? undefined : v)),
    ...(sidecar ? { sidecarCheck: { id: sidecar.registration.CheckID as string, status: sidecar.status, output: sidecar.output } } : {}),
  };
}

function sidecarCheck(serviceId: string, options: SidecarCheckOptions): { registration: AgentCheckRegistration; status: HealthStatus; output: string } | undefined {
  if (options.ttl <= 0 && options.health === undefined) return undefined;
  const { status, output } = healthStatus(options.health);
  const ttl = options.ttl > 0 ? `${options.ttl}s` : EVENT_DRIVEN_TTL;
  return {
    status,
    output,
    registration: {
      CheckID: sidecarCheckId(serviceId),
      Name: options.health === undefined ? 'Sidecar heartbeat' : 'Docker health',
      TTL: ttl,
      Status: status,
      ...(options.ttl > 0 ? { DeregisterCriticalServiceAfter: ttl } : {}),
    },
  };
}

/** Docker HEALTHCHECK state → check status: healthy passes, starting and unhealthy are critical. */
export function healthStatus(health: string | undefined): { status: HealthStatus; output: string } {
  switch (health) {
    case undefined:
      return { status: 'passing', output: 'container running' };
    case 'healthy':
      return { status: 'passing', output: 'Docker health: healthy' };
    default:
      return { status: 'critical', output: `Docker health: ${health}` };
  }
}
