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
