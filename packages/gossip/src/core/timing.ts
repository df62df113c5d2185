/**
 * The arithmetic behind memberlist's defaults (`util.go`, `suspicion.go`).
 * All durations are milliseconds.
 */

/** Suspicion minimum: `SuspicionMult × max(1, log10 N) × ProbeInterval`. */
export function suspicionTimeout(suspicionMult: number, n: number, probeIntervalMs: number): number {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, n)));
  // memberlist truncates the scale to milliseconds before multiplying.
  return Math.floor((suspicionMult * Math.floor(nodeScale * 1000) * probeIntervalMs) / 1000);
}

/**
 * Time left on a suspicion timer after `n` of `k` expected confirmations:
 * `max − (log(n+1)/log(k+1)) × (max − min)`, floored to whole ms, never below `min`,
 * minus what has already elapsed.
 */
export function remainingSuspicionTime(n: number, k: number, elapsedMs: number, minMs: number, maxMs: number): number {
  const frac = Math.log(n + 1) / Math.log(k + 1);
  const raw = maxMs - frac * (maxMs - minMs);
  let timeout = Math.floor(raw);
  if (!Number.isFinite(timeout) || timeout < minMs) timeout = minMs;
  return timeout - elapsedMs;
}

/** Transmit limit of the broadcast queue: `RetransmitMult × ceil(log10(N+1))`. */
export function retransmitLimit(retransmitMult: number, n: number): number {
  return retransmitMult * Math.ceil(Math.log10(n + 1));
}

/** Push-pull interval, multiplied by `ceil(log2 N − log2 32) + 1` above 32 nodes. */
export function pushPullScale(intervalMs: number, n: number): number {
  const threshold = 32;
  if (n <= threshold) return intervalMs;
  const multiplier = Math.ceil(Math.log2(n) - Math.log2(threshold)) + 1;
  return multiplier * intervalMs;
}

/** Confirmations a suspicion timer waits for: `SuspicionMult − 2`, or 0 in clusters too small to give them. */
export function expectedConfirmations(suspicionMult: number, n: number): number {
  const k = suspicionMult - 2;
  return n - 2 < k ? 0 : Math.max(0, k);
}
