/**
 * The agent's own addresses: what it binds to, what it advertises and where its HTTP, HTTPS and
 * DNS listeners are, from flags and config files (go-sockaddr templates allowed, see ../net/).
 */
import { AddressConfigError, expandFirstIp, expandIps, expandSingleIp } from '../net/address-expansion.js';
import { AdvertiseAddressError, detectAdvertiseAddress, isAnyAddress } from '../net/advertise-address.js';
import { type InterfaceTable, hostInterfaces } from '../net/interface-table.js';
import { ConfigError } from './config-error.js';
import { type Json, isObject, str } from './json-fields.js';

/** Runs an address step, turning its errors into ConfigError. */
export function addressStep<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof AddressConfigError || err instanceof AdvertiseAddressError) throw new ConfigError(err.message);
    throw err;
  }
}

/** The host's interfaces (or the ones given), read once and only when a value needs them. */
export function interfaceTable(interfaces: (() => InterfaceTable) | undefined): () => InterfaceTable {
  let tableRead: InterfaceTable | undefined;
  return () => {
    tableRead ??= (interfaces ?? hostInterfaces)();
    return tableRead;
  };
}

export interface ListenAddresses {
  bindAddr: string;
  advertiseAddr: string;
  clientAddrs: string[];
  httpAddrs: string[];
  httpsAddrs: string[];
  dnsAddrs: string[];
}

export function resolveListenAddresses(f: Record<string, unknown>, file: Json, dev: boolean, table: () => InterfaceTable): ListenAddresses {
  const addresses = isObject(file.addresses) ? file.addresses : {};
  const clientRaw = (f.client as string | undefined) ?? str(file.client_addr, 'client_addr') ?? '127.0.0.1';
  const clientAddrs = addressStep(() => expandIps('client_addr', clientRaw, table));
  if (clientAddrs.length === 0) throw new ConfigError(`client_addr cannot be empty: ${JSON.stringify(clientRaw)} names no address`);
  const bindAddr = addressStep(() => expandSingleIp('bind_addr', (f.bind as string | undefined) ?? str(file.bind_addr, 'bind_addr') ?? (dev ? '127.0.0.1' : '0.0.0.0'), table));
  // With no -advertise, an agent bound to every address advertises the host's one private IPv4.
  const advertiseAddr = addressStep(
    () =>
      expandFirstIp('advertise_addr', (f.advertise as string | undefined) ?? str(file.advertise_addr, 'advertise_addr'), table) ??
      (isAnyAddress(bindAddr) ? detectAdvertiseAddress(bindAddr, table()) : bindAddr),
  );
  const listenAddrs = (key: 'http' | 'https' | 'dns'): string[] => {
    const raw = str(addresses[key], `addresses.${key}`);
    if (raw === undefined) return clientAddrs;
    const list = addressStep(() => expandIps(`addresses.${key}`, raw, table));
    if (list.length === 0) throw new ConfigError(`addresses.${key} cannot be empty: ${JSON.stringify(raw)} names no address`);
    return list;
  };
  const httpAddrs = listenAddrs('http');
  const httpsAddrs = listenAddrs('https');
  const dnsAddrs = listenAddrs('dns');

  return { bindAddr, advertiseAddr, clientAddrs, httpAddrs, httpsAddrs, dnsAddrs };
}
