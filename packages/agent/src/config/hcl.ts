/**
 * HCL configuration files, read as Consul reads them: parsed by HashiCorp's HCL parser into
 * JSON, then blocks that HCL always turns into lists are unwrapped where Consul expects a single
 * object (`ports { ... }` → `"ports": {...}`), while `service`, `services`, `check` and `checks`
 * stay lists of definitions.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./hcl-worker.js', import.meta.url));
const BLOCK_LISTS = new Set(['service', 'services', 'check', 'checks']);

/** Parses an HCL file; throws with the parser's message when it is not valid HCL. */
export function readHclFile(path: string): Record<string, unknown> {
  let out: string;
  try {
    out = execFileSync(process.execPath, [WORKER, path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(stderr || (err as Error).message);
  }
  return normalize(JSON.parse(out), true) as Record<string, unknown>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Unwraps one-element lists of objects, except the lists of service and check definitions. */
export function normalize(value: unknown, top = false): unknown {
  if (Array.isArray(value)) return value.map((v) => normalize(v));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const keepList = BLOCK_LISTS.has(k) && (top || k === 'checks' || k === 'services');
    if (!keepList && Array.isArray(v) && v.length === 1 && isObject(v[0])) out[k] = normalize(v[0]);
    else out[k] = normalize(v);
  }
  return out;
}
