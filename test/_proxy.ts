/**
 * A TCP proxy that can be switched off and on again on the same port, to cut
 * a client off from a server (the registry, or the Docker socket) and restore it.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';

export interface SwitchableProxy {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  /** Refuses new connections and cuts the open ones. */
  off(): Promise<void>;
  /** Accepts connections again on the same port. */
  on(): Promise<void>;
}

/** Proxies to `target`: `host:port` or a unix socket path. Closed at teardown. */
export async function startProxy(t: ExecutionContext, target: string): Promise<SwitchableProxy> {
  const sockets = new Set<Socket>();
  const dial = (): Socket => {
    if (target.startsWith('/')) return connect(target);
    const colon = target.lastIndexOf(':');
    return connect(Number(target.slice(colon + 1)), target.slice(0, colon));
  };
  let server: Server | undefined;
  let port = 0;
  const listen = async (): Promise<void> => {
    const s = createServer((client) => {
      const upstream = dial();
      for (const sock of [client, upstream]) {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
        sock.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  const off = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  t.teardown(off);
  return {
    address: `127.0.0.1:${port}`,
    off,
    on: () => (server ? Promise.resolve() : listen()),
  };
}
