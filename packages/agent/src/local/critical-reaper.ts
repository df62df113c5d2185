import type { LocalState } from './local-state.js';

export interface CriticalReaperOptions {
  /** How often to look (Consul: every 30 s). */
  intervalMs?: number;
  /** The smallest `DeregisterCriticalServiceAfter` honoured (Consul: 1 minute). */
  minimumMs?: number;
  now?: () => number;
  onReap?(serviceId: string, checkId: string): void;
}

/**
 * Removes services whose check has been critical for longer than its
 * `DeregisterCriticalServiceAfter` (raised to the minimum).
 */
export function reapCriticalServices(local: LocalState, options: CriticalReaperOptions = {}): string[] {
  const now = (options.now ?? Date.now)();
  const min = options.minimumMs ?? 60_000;
  const reaped: string[] = [];
  for (const [id, c] of [...local.checks]) {
    const after = c.def.deregisterCriticalAfterMs;
    if (!after || !c.def.ServiceID || c.status !== 'critical' || c.criticalSince === undefined) continue;
    if (now - c.criticalSince <= Math.max(after, min)) continue;
    if (!local.services.has(c.def.ServiceID)) continue;
    local.removeService(c.def.ServiceID);
    reaped.push(c.def.ServiceID);
    options.onReap?.(c.def.ServiceID, id);
  }
  return reaped;
}

/** Runs `reapCriticalServices` every interval; returns a stop function. */
export function startCriticalReaper(local: LocalState, options: CriticalReaperOptions = {}): () => void {
  const timer = setInterval(() => reapCriticalServices(local, options), options.intervalMs ?? 30_000);
  timer.unref();
  return () => clearInterval(timer);
}
