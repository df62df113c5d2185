/**
 * Field decoders for JSON request bodies, shared by the HTTP endpoints and the local definitions
 * (service and check definitions from HTTP or config files); failures are INVALID_REQUEST errors.
 */
import { durationFromJson } from '@concord/goflags';
import { invalidRequest } from '../errors/agent-error.js';

/**
 * Request bodies bind case-insensitively, and snake_case binds too, as Consul's decoder does:
 * `Name`, `name`, `NAME`; `DeregisterCriticalServiceAfter`, `deregister_critical_service_after`.
 */
export type Body = Record<string, unknown>;

const norm = (k: string) => k.replace(/_/g, '').toLowerCase();

export function isBody(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function field(body: Body, name: string): unknown {
  if (name in body) return body[name];
  const want = norm(name);
  for (const k of Object.keys(body)) if (norm(k) === want) return body[k];
  return undefined;
}

/** Rejects keys that are not among `allowed` (compared case- and underscore-insensitively). */
export function rejectUnknown(body: Body, allowed: readonly string[], what: string): void {
  const set = new Set(allowed.map(norm));
  for (const k of Object.keys(body)) {
    if (!set.has(norm(k))) throw invalidRequest(`Request decode failed: ${what}: unknown field "${k}"`);
  }
}

export function optString(body: Body, name: string): string | undefined {
  const v = field(body, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidRequest(`Request decode failed: ${name} must be a string`);
  return v;
}

export function optBool(body: Body, name: string): boolean | undefined {
  const v = field(body, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalidRequest(`Request decode failed: ${name} must be a boolean`);
  return v;
}

export function optInt(body: Body, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = field(body, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalidRequest(`Request decode failed: ${name} must be an integer between ${min} and ${max}`);
  }
  return v;
}

export function optStringList(body: Body, name: string): string[] | undefined {
  const v = field(body, name);
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw invalidRequest(`Request decode failed: ${name} must be a list of strings`);
  }
  return v as string[];
}

export function optStringMap(body: Body, name: string): Record<string, string> | undefined {
  const v = field(body, name);
  if (v === undefined || v === null) return undefined;
  if (!isBody(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw invalidRequest(`Request decode failed: ${name} must be a map of strings`);
  }
  return v as Record<string, string>;
}

/** A duration field (Go string or nanoseconds) in milliseconds. */
export function optDuration(body: Body, name: string): number | undefined {
  const v = field(body, name);
  if (v === undefined || v === null || v === '') return undefined;
  const ms = durationFromJson(v);
  if (ms === undefined || ms < 0) throw invalidRequest(`Request decode failed: ${name}: invalid duration ${JSON.stringify(v)}`);
  return ms;
}
