/**
 * The address registered for ports bound to all interfaces when `-ip` is not
 * given: the first IPv4 address of a non-loopback interface that is not a
 * container bridge, else 127.0.0.1. (Registrator resolves its hostname, which
 * often yields 127.0.1.1 from /etc/hosts.)
 */
import { networkInterfaces } from 'node:os';

const VIRTUAL = /^(docker|br-|veth|virbr|cni|flannel|cali|weave|vxlan|tun|tap)/;

export function detectHostIp(interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces()): string {
  for (const name of Object.keys(interfaces).sort()) {
    if (VIRTUAL.test(name)) continue;
    for (const addr of interfaces[name] ?? []) {
      if (addr.family === 'IPv4' && !addr.internal) return addr.address;
    }
  }
  return '127.0.0.1';
}
