/**
 * Relays questions outside the Consul domain to the configured recursors, over the transport
 * the client used, trying them in order (or in random order) until one answers in time.
 */

import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, isIP, isIPv6 } from 'node:net';

import type { RecursorStrategy } from './config.js';

export interface RecursorAddress {
  host: string;
  port: number;
}

/** Parses `ip`, `ip:port`, `[v6]:port` or a bare IPv6 address (default port 53). */
export function parseRecursor(text: string): RecursorAddress {
  const s = text.trim();
  let host = s;
  let port = 53;
  const bracket = s.match(/^\[([^\]]+)\](?::(\d+))?$/);
  if (bracket) {
    host = bracket[1] as string;
    if (bracket[2]) port = Number(bracket[2]);
  } else if (!isIPv6(s)) {
    const m = s.match(/^([^:]+):(\d+)$/);
    if (m) {
      host = m[1] as string;
      port = Number(m[2]);
    }
  }
  if (!isIP(host)) throw new Error(`Invalid recursor address: ${JSON.stringify(text)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Invalid recursor port in ${JSON.stringify(text)}`);
  return { host, port };
}

export class RecursorRelay {
  readonly #recursors: RecursorAddress[];
  readonly #timeoutMs: number;
  readonly #strategy: RecursorStrategy;

  constructor(recursors: readonly string[], options: { timeoutMs: number; strategy: RecursorStrategy }) {
    this.#recursors = recursors.map(parseRecursor);
    this.#timeoutMs = options.timeoutMs;
    this.#strategy = options.strategy;
  }

  get enabled(): boolean {
    return this.#recursors.length > 0;
  }

  /** The upstream reply with the client's ID restored, or undefined if every recursor failed. */
  async relay(request: Buffer, tcp: boolean): Promise<Buffer | undefined> {
    const list = [...this.#recursors];
    if (this.#strategy === 'random') {
      for (let i = list.length - 1; i > 0; i--) {
        const j = randomInt(i + 1);
        [list[i], list[j]] = [list[j] as RecursorAddress, list[i] as RecursorAddress];
      }
    }
    const clientId = request.readUInt16BE(0);
    for (const r of list) {
      const query = Buffer.from(request);
      const id = randomInt(0x10000);
      query.writeUInt16BE(id, 0);
      try {
        const reply = tcp ? await this.#tcp(r, query, id) : await this.#udp(r, query, id);
        reply.writeUInt16BE(clientId, 0);
        return reply;
      } catch {
        // try the next recursor
      }
    }
    return undefined;
  }

  #udp(r: RecursorAddress, query: Buffer, id: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const sock = createSocket(isIPv6(r.host) ? 'udp6' : 'udp4');
      const done = (err: Error | null, reply?: Buffer) => {
        clearTimeout(timer);
        sock.close();
        if (err) reject(err);
        else resolve(reply as Buffer);
      };
      const timer = setTimeout(() => done(new Error('recursor timeout')), this.#timeoutMs);
      sock.on('error', (err) => done(err));
      sock.on('message', (msg, rinfo) => {
        if (rinfo.port !== r.port || msg.length < 12 || msg.readUInt16BE(0) !== id) return;
        done(null, msg);
      });
      sock.send(query, r.port, r.host, (err) => {
        if (err) done(err);
      });
    });
  }

  #tcp(r: RecursorAddress, query: Buffer, id: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const sock = connect({ host: r.host, port: r.port });
      let buf = Buffer.alloc(0);
      let settled = false;
      const done = (err: Error | null, reply?: Buffer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock.destroy();
        if (err) reject(err);
        else resolve(reply as Buffer);
      };
      const timer = setTimeout(() => done(new Error('recursor timeout')), this.#timeoutMs);
      sock.on('error', (err) => done(err));
      sock.on('close', () => done(new Error('recursor closed the connection')));
      sock.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length < 2) return;
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) return;
        const msg = Buffer.from(buf.subarray(2, 2 + len));
        if (msg.length < 12 || msg.readUInt16BE(0) !== id) done(new Error('unexpected recursor reply'));
        else done(null, msg);
      });
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
  }
}
