/** `?filter=` expressions, compiled once each (a malformed one is Consul's 400). */
import { type Filter, FilterError, compileFilter } from '../filter/bexpr.js';
import { invalidRequest } from '../errors/agent-error.js';

const cache = new Map<string, Filter>();
const MAX_CACHED = 256;

/** The compiled filter, undefined for an empty expression; throws an INVALID_REQUEST AgentError when malformed. */
export function compiledFilter(expr: string): Filter | undefined {
  if (expr.trim() === '') return undefined;
  let f = cache.get(expr);
  if (f) return f;
  try {
    f = compileFilter(expr);
  } catch (err) {
    if (err instanceof FilterError) throw invalidRequest(`Failed to create boolean expression evaluator: ${err.message}`);
    throw err;
  }
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(expr, f);
  return f;
}
