import type { CheckEntry, HealthStatus } from '@concord/state';
import type { CheckResult, CheckRunner } from './types.js';
import { errorText } from './types.js';

/** The part of the catalog an alias check reads. */
export interface AliasCatalog {
  checksOnNode(node: string): CheckEntry[];
  serviceExists(node: string, serviceId: string): boolean;
  /** Calls `cb` once when anything on `node` changes; returns a cancel function. */
  watchNode(node: string, cb: () => void): () => void;
}

export interface AliasSpec {
  /** The node whose checks are mirrored (the local node when the check names none). */
  node: string;
  /** The service ID mirrored; empty to mirror the node's own checks only. */
  serviceId: string;
  /** The alias check's own ID, never mirrored by itself. */
  selfCheckId?: string;
}

/**
 * The status an alias check mirrors: the worst of the aliased service's checks and of the
 * node's own checks; critical when the service does not exist on the node.
 */
export function aliasStatus(spec: AliasSpec, checks: readonly CheckEntry[], exists: boolean): CheckResult {
  let status: HealthStatus = 'passing';
  let output = 'No checks found.';
  let found = false;
  for (const c of [...checks].sort((a, b) => (a.CheckID < b.CheckID ? -1 : 1))) {
    if (c.CheckID === spec.selfCheckId) continue;
    if (c.ServiceID && c.ServiceID !== spec.serviceId) continue;
    if (spec.serviceId && c.ServiceID === spec.serviceId) found = true;
    if (c.Status === 'critical' || c.Status === 'warning') {
      if (status !== 'critical') {
        status = c.Status;
        output = `Aliased check "${c.Name}" failing: ${c.Output}`;
      }
    } else if (status === 'passing') output = 'All checks passing.';
  }
  if (spec.serviceId && !found && !exists) {
    return { status: 'critical', output: `Service ${spec.serviceId} could not be found on node ${spec.node}` };
  }
  return { status, output };
}

/** Mirrors the aliased health now and after every catalog change on the node (and every `pollMs`). */
export function startAlias(spec: AliasSpec, catalog: AliasCatalog, report: (r: CheckResult) => void, pollMs = 5_000): CheckRunner {
  let stopped = false;
  let cancelWatch: (() => void) | undefined;
  let pending = false;
  const evaluate = (): void => {
    pending = false;
    if (stopped) return;
    let result: CheckResult;
    try {
      result = aliasStatus(spec, catalog.checksOnNode(spec.node), catalog.serviceExists(spec.node, spec.serviceId));
    } catch (err) {
      result = { status: 'critical', output: errorText(err) };
    }
    try {
      report(result);
    } catch {
      // a failing report must not stop the alias
    }
  };
  const rearm = (): void => {
    if (stopped) return;
    cancelWatch = catalog.watchNode(spec.node, () => {
      rearm();
      if (!pending) {
        pending = true;
        setImmediate(evaluate);
      }
    });
  };
  rearm();
  const poll = setInterval(evaluate, pollMs);
  poll.unref();
  setImmediate(evaluate);
  return {
    stop(): void {
      stopped = true;
      clearInterval(poll);
      cancelWatch?.();
    },
  };
}
