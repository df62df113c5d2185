import { connect } from 'node:net';
import type { CheckResult, Probe } from './types.js';
import { errorText } from './types.js';

/** Splits `host:port` / `[v6]:port`. */
export function splitHostPort(addr: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(addr) ?? /^([^:]*):(\d+)$/.exec(addr);
  if (!m) throw new Error(`address ${addr}: missing port in address`);
  return { host: m[1] || 'localhost', port: Number(m[2]) };
}

function refusedText(addr: string, err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'ECONNREFUSED') return `dial tcp ${addr}: connect: connection refused`;
  if (code === 'EHOSTUNREACH') return `dial tcp ${addr}: connect: no route to host`;
  if (code === 'ENOTFOUND') return `dial tcp ${addr}: lookup: no such host`;
  return `dial tcp ${addr}: ${errorText(err)}`;
}

/** A TCP check: passing when a connection opens within the timeout. */
export function tcpProbe(addr: string): Probe {
  return (ctx) =>
    new Promise<CheckResult>((resolve) => {
      let host: string;
      let port: number;
      try {
        ({ host, port } = splitHostPort(addr));
      } catch (err) {
        resolve({ status: 'critical', output: errorText(err) });
        return;
      }
      const socket = connect({ host, port });
      const done = (r: CheckResult): void => {
        ctx.signal.removeEventListener('abort', onAbort);
        socket.destroy();
        resolve(r);
      };
      const onAbort = (): void => done({ status: 'critical', output: `dial tcp ${addr}: i/o timeout` });
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener('abort', onAbort);
      socket.once('connect', () => done({ status: 'passing', output: `TCP connect ${addr}: Success` }));
      socket.once('error', (err) => done({ status: 'critical', output: refusedText(addr, err) }));
    });
}
