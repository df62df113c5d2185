/**
 * UDP and TCP listeners for the DNS interface. Both hand raw packets to the query handler;
 * nothing a client sends can crash the process or stall the event loop.
 */

import { type Socket as UdpSocket, createSocket } from 'node:dgram';
import { lookup } from 'node:dns';
import { type Server as TcpServer, type Socket, createServer, isIP, isIPv6 } from 'node:net';

import type { DnsCatalog, RemoteDnsCatalogs } from './catalog.js';
import type { DnsConfig } from './config.js';
import { type DnsLogger, QueryHandler, type Reply } from './query-handler.js';
import { RecursorRelay } from './recursor.js';

export interface DnsServerConfig extends DnsConfig {
  /** e.g. "consul." */
  domain: string;
  altDomain?: string | undefined;
  datacenter: string;
  /** `translate_wan_addrs`: answers about other datacenters use their WAN addresses. */
  translateWanAddrs?: boolean | undefined;
  recursors: string[];
  bindAddress: string;
  /** 0 picks a free port (the same one for UDP and TCP when possible). */
  port: number;
}

export interface DnsServerOptions {
  catalog: DnsCatalog;
  /** Catalogs of other datacenters (`web.service.dc2.consul`); without it they answer NXDOMAIN. */
  remote?: RemoteDnsCatalogs | undefined;
  config: DnsServerConfig;
  logger?: DnsLogger | undefined;
  /** Called with each query's handling time in milliseconds (Consul's `dns.domain_query`). */
  observe?: ((ms: number) => void) | undefined;
}

export interface DnsServer {
  udpPort: number;
  tcpPort: number;
  close(): Promise<void>;
}

const TCP_IDLE_MS = 10_000;
const TCP_MAX_INFLIGHT = 64;

/** The last address literalLookup checked, and its family (one `isIP` per client, not per reply). */
let lastLiteral = '';
let lastFamily = 0;

/**
 * Replies go back to the address a query came from, always an IP literal: skip dns.lookup and
 * its extra tick per datagram.
 */
function literalLookup(address: string, family: unknown, cb: (err: Error | null, address: string, family: number) => void): void {
  if (address === lastLiteral) {
    cb(null, address, lastFamily);
    return;
  }
  const f = isIP(address);
  if (f === 0) {
    lookup(address, { family: family === 6 || family === 'udp6' ? 6 : 4 }, cb);
    return;
  }
  lastLiteral = address;
  lastFamily = f;
  cb(null, address, f);
}

function normalizeDomain(d: string): string {
  return d
    .trim()
    .toLowerCase()
    .replace(/^\.+|\.+$/g, '');
}

export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const { config } = options;
  const domains = [normalizeDomain(config.domain || 'consul.')];
  if (config.altDomain && normalizeDomain(config.altDomain) !== '' && normalizeDomain(config.altDomain) !== domains[0]) {
    domains.push(normalizeDomain(config.altDomain));
  }
  const relay = new RecursorRelay(config.recursors ?? [], {
    timeoutMs: config.recursorTimeout,
    strategy: config.recursorStrategy,
  });
  const handler = new QueryHandler({
    catalog: options.catalog,
    remote: options.remote,
    config,
    domains,
    datacenter: config.datacenter,
    translateWanAddrs: config.translateWanAddrs,
    relay,
    logger: options.logger,
  });
  const logger = options.logger;
  let closed = false;
  const observe = options.observe;
  if (observe) {
    const inner = handler.handle.bind(handler);
    handler.handle = (msg, tcp) => {
      const started = performance.now();
      const r = inner(msg, tcp);
      if (r instanceof Promise) return r.finally(() => observe(performance.now() - started));
      observe(performance.now() - started);
      return r;
    };
  }

  const makeUdp = (): UdpSocket => {
    const sock = createSocket({ type: isIPv6(config.bindAddress) ? 'udp6' : 'udp4', lookup: literalLookup });
    sock.on('message', (msg, rinfo) => {
      let r: Reply | Promise<Reply>;
      try {
        r = handler.handle(msg, false, rinfo.address);
      } catch (err) {
        logger?.warn({ err }, 'DNS UDP query failed');
        return;
      }
      if (r instanceof Promise) {
        r.then(
          (reply) => {
            if (reply && !closed) sock.send(reply, rinfo.port, rinfo.address);
          },
          (err: unknown) => logger?.warn({ err }, 'DNS UDP query failed'),
        );
      } else if (r && !closed) {
        sock.send(r, rinfo.port, rinfo.address);
      }
    });
    return sock;
  };

  const sockets = new Set<Socket>();
  const tcp = createServer((sock) => serveTcp(sock, handler, logger, sockets));
  tcp.on('error', (err) => logger?.warn({ err }, 'DNS TCP server error'));

  const { udp, udpPort, tcpPort } = await bindBoth(makeUdp, tcp, config.bindAddress, config.port);
  udp.on('error', (err) => logger?.warn({ err }, 'DNS UDP socket error'));
  return {
    udpPort,
    tcpPort,
    close: async () => {
      if (closed) return;
      closed = true;
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise<void>((resolve) => udp.close(() => resolve())), new Promise<void>((resolve) => tcp.close(() => resolve()))]);
    },
  };
}

async function bindBoth(makeUdp: () => UdpSocket, tcp: TcpServer, address: string, port: number): Promise<{ udp: UdpSocket; udpPort: number; tcpPort: number }> {
  const bindUdp = (p: number) =>
    new Promise<UdpSocket>((resolve, reject) => {
      const udp = makeUdp();
      const onError = (err: Error) => {
        udp.close();
        reject(err);
      };
      udp.once('error', onError);
      udp.bind(p, address, () => {
        udp.off('error', onError);
        resolve(udp);
      });
    });
  const listenTcp = (p: number) =>
    new Promise<number>((resolve, reject) => {
      const onError = (err: Error) => {
        tcp.off('listening', onListening);
        reject(err);
      };
      const onListening = () => {
        tcp.off('error', onError);
        const a = tcp.address();
        resolve(typeof a === 'object' && a ? a.port : p);
      };
      tcp.once('error', onError);
      tcp.once('listening', onListening);
      tcp.listen(p, address);
    });
  if (port !== 0) {
    const udp = await bindUdp(port);
    try {
      const tcpPort = await listenTcp(port);
      return { udp, udpPort: udp.address().port, tcpPort };
    } catch (err) {
      udp.close();
      throw err;
    }
  }
  // ephemeral: take a TCP port, then the same number for UDP; retry if UDP has it in use
  for (let attempt = 0; ; attempt++) {
    const tcpPort = await listenTcp(0);
    try {
      const udp = await bindUdp(tcpPort);
      return { udp, udpPort: udp.address().port, tcpPort };
    } catch (err) {
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      if (attempt >= 20) throw err;
    }
  }
}

function serveTcp(sock: Socket, handler: QueryHandler, logger: DnsLogger | undefined, sockets: Set<Socket>): void {
  sockets.add(sock);
  sock.setNoDelay(true);
  // The deadline moves only when a whole query arrives: a client dripping bytes cannot keep the
  // connection open (a per-socket inactivity timeout would restart with every byte).
  let idle = setTimeout(() => sock.destroy(), TCP_IDLE_MS);
  const queryArrived = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => sock.destroy(), TCP_IDLE_MS);
  };
  sock.on('close', () => {
    clearTimeout(idle);
    sockets.delete(sock);
  });
  sock.on('error', () => sock.destroy());
  let pending: Buffer = Buffer.alloc(0);
  let inflight = 0;
  const write = (reply: Reply) => {
    inflight--;
    if (!reply || sock.destroyed) return;
    const len = Buffer.allocUnsafe(2);
    len.writeUInt16BE(reply.length);
    sock.write(Buffer.concat([len, reply]));
  };
  sock.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 2) {
      const len = pending.readUInt16BE(0);
      if (len < 12) {
        sock.destroy();
        return;
      }
      if (pending.length < 2 + len) break;
      const msg = Buffer.from(pending.subarray(2, 2 + len));
      pending = pending.subarray(2 + len);
      queryArrived();
      if (++inflight > TCP_MAX_INFLIGHT) {
        sock.destroy();
        return;
      }
      let r: Reply | Promise<Reply>;
      try {
        r = handler.handle(msg, true, sock.remoteAddress);
      } catch (err) {
        logger?.warn({ err }, 'DNS TCP query failed');
        inflight--;
        continue;
      }
      if (r instanceof Promise) {
        r.then(write, (err: unknown) => {
          inflight--;
          logger?.warn({ err }, 'DNS TCP query failed');
        });
      } else {
        write(r);
      }
    }
  });
}
