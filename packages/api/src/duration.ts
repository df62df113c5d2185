/** How the client sends Go durations; parsing them is @concord/goflags' `parseDuration`. */

/** Formats milliseconds the way the Go client sends `wait`: `<n>ms`. */
export function formatWait(ms: number): string {
  return `${Math.max(0, Math.round(ms))}ms`;
}
