/**
 * Which registry entries this sidecar may remove. Registrator deletes anything
 * whose ID looks like `<host>:<container>:<port>`; here an entry must also carry
 * the owner marker (Meta for services, Flags for KV entries) and this host's name.
 */

export const OWNER_META_KEY = 'registered_by';
export const OWNER_META_VALUE = 'concord-registrator';
/** KV `Flags` value on entries written by the sidecar ("REGI"). */
export const OWNER_KV_FLAGS = 0x52454749;

const ID_RE = /^(.+?):([a-zA-Z0-9][a-zA-Z0-9_.-]+):[0-9]+(?::udp)?$/;

export interface ParsedServiceId {
  readonly host: string;
  readonly container: string;
}

export function parseServiceId(id: string): ParsedServiceId | undefined {
  const m = ID_RE.exec(id);
  return m ? { host: m[1] as string, container: m[2] as string } : undefined;
}

/** Whether `id` is a sidecar-pattern ID of this host, and the entry carries the marker. */
export function ownedBy(hostname: string, id: string, marked: boolean): ParsedServiceId | undefined {
  if (!marked) return undefined;
  const parsed = parseServiceId(id);
  return parsed?.host === hostname ? parsed : undefined;
}
