/** Module resolve hook: records each resolved URL in the file named by CONCORD_MODULE_LOG. */
import { appendFileSync } from 'node:fs';

interface ResolveResult {
  readonly url: string;
}
type NextResolve = (specifier: string, context: unknown) => Promise<ResolveResult>;

const log = process.env.CONCORD_MODULE_LOG;

export async function resolve(specifier: string, context: unknown, next: NextResolve): Promise<ResolveResult> {
  const result = await next(specifier, context);
  if (log) appendFileSync(log, `${result.url}\n`);
  return result;
}
