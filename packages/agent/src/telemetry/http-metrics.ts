/**
 * The key Consul's HTTP timers use for a request: its route pattern without the leading slash,
 * split on `/`, with `_` for a trailing slash (`/v1/kv/` → v1.kv._, `/v1/agent/self` →
 * v1.agent.self). A route that takes parameters is its fixed prefix (`/v1/health/service/:s` →
 * v1.health.service._), so the number of metrics stays bounded.
 */
export function httpMetricKey(pattern: string | undefined, path: string): { key: string[]; label: string } {
  const source = pattern ?? fallbackPattern(path);
  const known = memo.get(source);
  if (known) return { key: [...known.key], label: known.label };
  const made = metricKeyOf(source);
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(source, made);
  return { key: [...made.key], label: made.label };
}

/** Keys already worked out, per pattern: every request asks for one. */
const memo = new Map<string, { key: readonly string[]; label: string }>();
const MEMO_MAX = 1024;

function metricKeyOf(source: string): { key: string[]; label: string } {
  const cut = source.search(/[:*]/);
  const fixed = (cut === -1 ? source : source.slice(0, cut)).replace(/^\//, '');
  const parts = fixed.split('/');
  const key = parts.map((p, i) => (p === '' && i === parts.length - 1 ? '_' : p)).filter((p) => p !== '');
  // `api.http`'s path label: the pattern with `_` for `/` (`v1/kv/` → v1_kv_).
  return { key, label: fixed.replace(/\//g, '_') };
}

/**
 * A pattern for paths this agent has no route for (state requests a client agent forwards):
 * Consul's patterns are the first three segments, KV's the first two.
 */
function fallbackPattern(path: string): string {
  const segs = path.split('/').slice(1);
  if (segs[0] !== 'v1') return '/_';
  const keep = segs[1] === 'kv' ? 2 : 3;
  return segs.length > keep ? `/${segs.slice(0, keep).join('/')}/*` : `/${segs.join('/')}`;
}
