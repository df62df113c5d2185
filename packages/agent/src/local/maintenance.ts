/**
 * Node and service maintenance mode, as Consul does it: a critical check of type `maintenance`
 * (`_node_maintenance`, or `_service_maintenance:<id>` on the service) whose Notes carry the
 * reason. Enabling twice keeps the first reason; the checks are persisted like any API check.
 */
import type { CheckDefinition } from './definitions.js';
import type { LocalState } from './local-state.js';

export const NODE_MAINTENANCE_CHECK_ID = '_node_maintenance';
export const SERVICE_MAINTENANCE_PREFIX = '_service_maintenance:';

export const DEFAULT_NODE_MAINTENANCE_REASON = 'Maintenance mode is enabled for this node, but no reason was provided. This is a default message.';
export const DEFAULT_SERVICE_MAINTENANCE_REASON = 'Maintenance mode is enabled for this service, but no reason was provided. This is a default message.';

/** Raised for a service ID the agent does not know (HTTP 404). */
export class UnknownServiceError extends Error {
  readonly code = 'UNKNOWN_SERVICE';
  constructor(id: string) {
    super(`No service registered with ID ${JSON.stringify(id)}`);
  }
}

export function serviceMaintenanceCheckId(serviceId: string): string {
  return `${SERVICE_MAINTENANCE_PREFIX}${serviceId}`;
}

function maintenanceCheck(checkId: string, name: string, serviceId: string, notes: string): CheckDefinition {
  return {
    CheckID: checkId,
    Name: name,
    Notes: notes,
    ServiceID: serviceId,
    Status: 'critical',
    Kind: 'maintenance',
    successBeforePassing: 0,
    failuresBeforeWarning: 0,
    failuresBeforeCritical: 0,
    outputMaxSize: 4096,
    spec: {},
  };
}

export function enableNodeMaintenance(local: LocalState, reason: string): void {
  if (local.checks.has(NODE_MAINTENANCE_CHECK_ID)) return;
  local.addCheck(maintenanceCheck(NODE_MAINTENANCE_CHECK_ID, 'Node Maintenance Mode', '', reason || DEFAULT_NODE_MAINTENANCE_REASON));
}

export function disableNodeMaintenance(local: LocalState): void {
  local.removeCheck(NODE_MAINTENANCE_CHECK_ID);
}

/** Throws `UnknownServiceError` when the agent has no such service. */
export function enableServiceMaintenance(local: LocalState, serviceId: string, reason: string): void {
  if (!local.services.has(serviceId)) throw new UnknownServiceError(serviceId);
  const checkId = serviceMaintenanceCheckId(serviceId);
  if (local.checks.has(checkId)) return;
  local.addCheck(maintenanceCheck(checkId, 'Service Maintenance Mode', serviceId, reason || DEFAULT_SERVICE_MAINTENANCE_REASON));
}

/** Throws `UnknownServiceError` when the agent has no such service. */
export function disableServiceMaintenance(local: LocalState, serviceId: string): void {
  if (!local.services.has(serviceId)) throw new UnknownServiceError(serviceId);
  local.removeCheck(serviceMaintenanceCheckId(serviceId));
}
