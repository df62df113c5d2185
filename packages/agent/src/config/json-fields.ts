/** Typed reads of configuration file fields, each refusing a value of the wrong type with a ConfigError naming the key. */
import { durationFromJson } from '@concord/goflags';
import { ConfigError } from './config-error.js';

export function str(v: unknown, key: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ConfigError(`${key} must be a string`);
  return v;
}

export function bool(v: unknown, key: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new ConfigError(`${key} must be a boolean`);
  return v;
}

/** A Go duration (string, or nanoseconds) in milliseconds. */
export function dur(v: unknown, key: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const ms = durationFromJson(v);
  if (ms === undefined || ms < 0) throw new ConfigError(`${key}: invalid duration ${JSON.stringify(v)}`);
  return ms;
}

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

export function int(v: unknown, key: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ConfigError(`${key} must be an integer`);
  return v;
}

export function strList(v: unknown, key: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ConfigError(`${key} must be a list of strings`);
  return v as string[];
}

export function strMap(v: unknown, key: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw new ConfigError(`${key} must be a map of strings`);
  }
  return v as Record<string, string>;
}

export function objectList(v: unknown, key: string): Json[] {
  if (v === undefined || v === null) return [];
  const list = asArray(v);
  if (list.some((x) => !isObject(x))) throw new ConfigError(`${key} must be objects`);
  return list as Json[];
}

export function positiveNumber(v: unknown, key: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new ConfigError(`${key} must be a positive number`);
  return v;
}

export function positiveInt(v: unknown, key: string, max: number): number | undefined {
  const n = int(v, key);
  if (n === undefined) return undefined;
  if (n < 1 || n > max) throw new ConfigError(`${key} cannot be ${n}. Must be between 1 and ${max}`);
  return n;
}
