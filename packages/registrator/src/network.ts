/** Which address a container's service is registered at. */
import type { ContainerInspect } from './docker-types.js';

/** Addresses that mean "all interfaces" in a port binding. */
export function isWildcard(ip: string | undefined): boolean {
  return ip === undefined || ip === '' || ip === '0.0.0.0' || ip === '::';
}

/**
 * The container's own IP, chosen deterministically (registrator picks a random
 * network when there are several): the network named by `SERVICE_[<port>_]NETWORK`
 * if given (undefined when the container is not on it), else the network of its
 * network mode, else `bridge`, else the first network by name.
 */
export function containerIp(inspect: ContainerInspect, wanted?: string): string | undefined {
  const networks = inspect.NetworkSettings?.Networks ?? {};
  const ipOf = (name: string): string | undefined => networks[name]?.IPAddress || undefined;
  if (wanted !== undefined) return ipOf(wanted);
  const mode = inspect.HostConfig?.NetworkMode ?? '';
  const byMode = ipOf(mode);
  if (byMode) return byMode;
  const bridge = ipOf('bridge');
  if (bridge) return bridge;
  for (const name of Object.keys(networks).sort()) {
    const ip = ipOf(name);
    if (ip) return ip;
  }
  return inspect.NetworkSettings?.IPAddress || undefined;
}

/** `10.42.1.7/16` → `10.42.1.7` (the `-useIpFromLabel` rule). */
export function ipFromLabel(inspect: ContainerInspect, label: string): string | undefined {
  const value = inspect.Config?.Labels?.[label];
  if (!value) return undefined;
  const slash = value.lastIndexOf('/');
  return slash === -1 ? value : value.slice(0, slash);
}

/** The target of a `container:<id>` network mode, if that is the mode. */
export function sharedNetworkContainer(inspect: ContainerInspect): string | undefined {
  const mode = inspect.HostConfig?.NetworkMode ?? '';
  return mode.startsWith('container:') ? mode.slice('container:'.length) : undefined;
}
