/** Prometheus metrics of one sidecar, in a registry of their own. */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export class RegistratorMetrics {
  readonly registry = new Registry();
  readonly registrations = new Counter({
    name: 'registrator_registrations_total',
    help: 'Services registered (or registered again after a change).',
    registers: [this.registry],
  });
  readonly deregistrations = new Counter({
    name: 'registrator_deregistrations_total',
    help: 'Services deregistered.',
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'registrator_errors_total',
    help: 'Failed calls, by operation (register, deregister, heartbeat, inspect, list, events, sync).',
    labelNames: ['op'] as const,
    registers: [this.registry],
  });
  readonly eventLag = new Histogram({
    name: 'registrator_event_lag_seconds',
    help: 'Time from Docker emitting an event to the sidecar receiving it.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly services = new Gauge({
    name: 'registrator_services',
    help: 'Services the sidecar wants registered right now.',
    registers: [this.registry],
  });
  readonly pending = new Gauge({
    name: 'registrator_pending_writes',
    help: 'Registrations and deregistrations waiting to be written or retried.',
    registers: [this.registry],
  });
}
