/**
 * Go duration strings (`10s`, `1m30s`, `500ms`, `1h`) ↔ milliseconds, with Go's
 * `time.ParseDuration` rules (an optional sign, `0` alone needs no unit) and its error texts.
 */

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** The longest Go duration (2^63-1 ns, about 292 years) in milliseconds; Go refuses longer ones. */
export const MAX_DURATION_MS = 9_223_372_036_854.775;

/** Parses a Go duration into milliseconds; undefined when malformed. */
export function parseDuration(input: string): number | undefined {
  let s = input.trim();
  if (s === '') return undefined;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  PART.lastIndex = 0;
  let pos = 0;
  while (pos < s.length) {
    PART.lastIndex = pos;
    const m = PART.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * (UNITS[m[2] as string] as number);
    pos = PART.lastIndex;
  }
  if (total > MAX_DURATION_MS) return undefined;
  // Go durations are whole nanoseconds; rounding there also drops float noise (1.001s is 1001 ms).
  return (sign * Math.round(total * 1e6)) / 1e6;
}

/** Like {@link parseDuration}, but throws Go's error text (`time: invalid duration "5x"`) when malformed. */
export function parseGoDuration(input: string): number {
  const ms = parseDuration(input);
  if (ms === undefined) throw new Error(goDurationError(input));
  return ms;
}

/**
 * A duration as found in JSON bodies and config: a Go duration string or a number of
 * nanoseconds. Returns milliseconds, or undefined when malformed.
 */
export function durationFromJson(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.abs(value / 1e6) > MAX_DURATION_MS ? undefined : value / 1e6;
  if (typeof value === 'string') return parseDuration(value);
  return undefined;
}

/** Formats milliseconds the way Go's time.Duration.String() does (`1m30s`, `10s`, `500ms`, `0s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  if (rest < 1000) {
    const body = Number.isInteger(rest) ? `${rest}ms` : rest < 1 ? `${Math.round(rest * 1000)}µs` : `${rest}ms`;
    return (neg ? '-' : '') + body;
  }
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  let out = '';
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  out += `${Number.isInteger(s) ? s : Number(s.toFixed(9))}s`;
  return (neg ? '-' : '') + out;
}

/** The largest Go time.Duration, in nanoseconds. */
const MAX_GO_DURATION_NS = 9_223_372_036_854_775_807n;

/**
 * A Go duration string as a whole number of nanoseconds, printed as Go's `%d` prints a
 * time.Duration (`5s` → `5000000000`); undefined when malformed or out of Go's range.
 */
export function durationNanosText(input: string): string | undefined {
  const ms = parseDuration(input);
  if (ms === undefined) return undefined;
  const ns = BigInt(Math.round(ms * 1e6));
  if (ns > MAX_GO_DURATION_NS || -ns > MAX_GO_DURATION_NS + 1n) return undefined;
  return ns.toString();
}

/** The error Go's `time.ParseDuration` returns for a string it cannot parse. */
export function goDurationError(input: string): string {
  const quoted = JSON.stringify(input);
  const body = input.replace(/^[-+]/, '');
  if (/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(body) && body !== '0') return `time: missing unit in duration ${quoted}`;
  const unit = /^(?:\d+(?:\.\d*)?|\.\d+)([^\d.]+)/.exec(body)?.[1];
  if (unit !== undefined && !(unit in UNITS)) return `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`;
  return `time: invalid duration ${quoted}`;
}
