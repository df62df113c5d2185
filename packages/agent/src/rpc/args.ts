/**
 * Checks on method arguments as they arrive over the RPC port: each method states the record it
 * takes, and anything else is refused (`ArgsError`, answered as a 400) before it runs.
 */

export class ArgsError extends Error {
  readonly code = 'RPC_BAD_ARGS';
}

export type ArgRecord = Readonly<Record<string, unknown>>;

const MAX_STRING = 512 * 1024;

export function record(raw: unknown): ArgRecord {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ArgsError('arguments must be an object');
  return raw as ArgRecord;
}

export function str(o: ArgRecord, name: string): string {
  const v = o[name];
  if (typeof v !== 'string') throw new ArgsError(`${name} must be a string`);
  if (v.length > MAX_STRING) throw new ArgsError(`${name} is too long`);
  return v;
}

export function optStr(o: ArgRecord, name: string): string | undefined {
  return o[name] === undefined || o[name] === null ? undefined : str(o, name);
}

export function bool(o: ArgRecord, name: string): boolean {
  const v = o[name] ?? false;
  if (typeof v !== 'boolean') throw new ArgsError(`${name} must be a boolean`);
  return v;
}

export function num(o: ArgRecord, name: string): number {
  const v = o[name] ?? 0;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArgsError(`${name} must be a number`);
  return v;
}

export function optNum(o: ArgRecord, name: string): number | undefined {
  return o[name] === undefined || o[name] === null ? undefined : num(o, name);
}

export function strList(o: ArgRecord, name: string): string[] {
  const v = o[name] ?? [];
  if (!Array.isArray(v) || v.length > 4096 || v.some((x) => typeof x !== 'string' || x.length > MAX_STRING)) {
    throw new ArgsError(`${name} must be a list of strings`);
  }
  return v as string[];
}

/** A method without arguments. */
export function none(raw: unknown): Record<string, never> {
  record(raw);
  return {};
}
