/** Go-style durations (`10s`, `1m30s`, `500ms`, `1.5h`) as used by Consul. */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** The longest Go duration (2^63-1 ns, about 292 years) in milliseconds; Go refuses longer ones. */
const MAX_DURATION_MS = 9_223_372_036_854.775;

/** Parses a Go duration string into milliseconds; `undefined` if it is not one (or too long for Go). */
export function parseDuration(text: string): number | undefined {
  const input = text.trim();
  if (input === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let sign = 1;
  if (input.startsWith('-') || input.startsWith('+')) {
    sign = input.startsWith('-') ? -1 : 1;
    pos = 1;
  }
  if (pos >= input.length) return undefined;
  re.lastIndex = pos;
  while (pos < input.length) {
    const m = re.exec(input);
    if (!m || m.index !== pos) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    pos = re.lastIndex;
  }
  if (total > MAX_DURATION_MS) return undefined;
  return sign * total;
}

/** Formats milliseconds the way the Go client sends `wait`: `<n>ms`. */
export function formatWait(ms: number): string {
  return `${Math.max(0, Math.round(ms))}ms`;
}
