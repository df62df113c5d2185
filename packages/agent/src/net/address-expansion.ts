/**
 * Address settings as Consul's config builder reads them: each value may be a go-sockaddr
 * template, which is evaluated and split on whitespace; the results must be IP addresses.
 * Errors are worded as Consul words them (`bind_addr cannot contain multiple addresses. ...`).
 */
import { isIP } from 'node:net';
import type { InterfaceTable } from './interface-table.js';
import { SockaddrError, evaluateSockaddrTemplate } from './sockaddr-template.js';

export class AddressConfigError extends Error {
  readonly code = 'ADDRESS_CONFIG';
}

/** The interface table, read at most once and only when some value needs it. */
export type TableSource = () => InterfaceTable;

function evaluate(name: string, value: string, table: TableSource): string {
  if (!value.includes('{{')) return value;
  try {
    return evaluateSockaddrTemplate(value, table());
  } catch (err) {
    if (err instanceof SockaddrError) throw new AddressConfigError(`${name}: error parsing ${JSON.stringify(value)}: ${err.message}`);
    throw err;
  }
}

/** Every IP address a value names (`expandAddrs`); `[::]` is accepted for `::`. */
export function expandIps(name: string, value: string, table: TableSource): string[] {
  if (value === '') return [];
  const out: string[] = [];
  for (const a of evaluate(name, value, table)
    .split(/\s+/)
    .filter((x) => x !== '')) {
    if (a.startsWith('unix://')) throw new AddressConfigError(`${name} cannot be a unix socket`);
    const ip = a === '[::]' ? '::' : a;
    if (isIP(ip) === 0) throw new AddressConfigError(`${name}: invalid ip address: ${a}`);
    out.push(ip);
  }
  return out;
}

/** Exactly one address (`bind_addr`). */
export function expandSingleIp(name: string, value: string, table: TableSource): string {
  const ips = expandIps(name, value, table);
  if (ips.length === 0) throw new AddressConfigError(value === '' ? `${name} cannot be empty` : `${name} cannot be empty: ${JSON.stringify(value)} names no address`);
  if (ips.length > 1) throw new AddressConfigError(`${name} cannot contain multiple addresses. Use 'addresses.{dns,http,https}' instead.`);
  return ips[0] as string;
}

/** At most one address (`advertise_addr`); undefined when the value names none. */
export function expandFirstIp(name: string, value: string | undefined, table: TableSource): string | undefined {
  if (value === undefined || value === '') return undefined;
  const ips = expandIps(name, value, table);
  if (ips.length > 1) throw new AddressConfigError(`${name}: multiple addresses found: ${ips.join(' ')}`);
  return ips[0];
}

/**
 * Join addresses (`start_join`, `retry_join`): a template is evaluated and split on whitespace;
 * any other value (a `host:port`, a DNS name) is passed through as written.
 */
export function expandJoinAddrs(name: string, values: readonly string[], table: TableSource): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (v === '') continue;
    const expanded = evaluate(name, v, table);
    if (expanded !== v) out.push(...expanded.split(/\s+/).filter((x) => x !== ''));
    else out.push(v);
  }
  return out;
}
