import { execFile, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

import type { ExecutionContext } from 'ava';
import test from 'ava';
import dns2 from 'dns2';

import type { NodeRegistration } from '@concord/state';
import { StateStore } from '@concord/state';

import { type DnsCatalog, type DnsConfig, type DnsServer, defaultDnsConfig, startDnsServer, stateCatalog } from '../src/dns/index.js';

const { Packet } = dns2;

export interface Fixture {
  state: StateStore;
  server: DnsServer;
  port: number;
  register(reg: NodeRegistration): void;
  deregister(node: string, serviceId?: string): void;
}

export interface FixtureOptions {
  config?: Partial<DnsConfig>;
  recursors?: string[];
  altDomain?: string;
  domain?: string;
  /** Wraps the catalog the server reads (to watch what it asks). */
  wrapCatalog?: (catalog: DnsCatalog) => DnsCatalog;
}

export async function startFixture(t: ExecutionContext, options: FixtureOptions = {}): Promise<Fixture> {
  const state = new StateStore({ datacenter: 'dc1' });
  let index = 0;
  const server = await startDnsServer({
    catalog: (options.wrapCatalog ?? ((c) => c))(stateCatalog(state)),
    config: {
      ...defaultDnsConfig(),
      ...options.config,
      domain: options.domain ?? 'consul.',
      altDomain: options.altDomain,
      datacenter: 'dc1',
      recursors: options.recursors ?? [],
      bindAddress: '127.0.0.1',
      port: 0,
    },
  });
  t.teardown(() => server.close());
  return {
    state,
    server,
    port: server.udpPort,
    register(reg) {
      const r = state.apply(++index, { type: 'register', reg });
      if (r.error) throw r.error;
    },
    deregister(node, serviceId) {
      state.apply(++index, { type: 'deregister', dereg: serviceId ? { Node: node, ServiceID: serviceId } : { Node: node } });
    },
  };
}

/** Registers `count` nodes web-0..n with one `name` service each, on 10.0.<i/250>.<i%250+1>. */
export function registerMany(f: Fixture, name: string, count: number, extra: Partial<NodeRegistration> = {}): string[] {
  const ips: string[] = [];
  for (let i = 0; i < count; i++) {
    const ip = `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    ips.push(ip);
    f.register({ Node: `${name}-node-${i}`, Address: ip, Service: { ID: `${name}-${i}`, Service: name, Port: 8000 + i }, ...extra });
  }
  return ips;
}

// ---------------------------------------------------------------------------------------------
// dig

export const hasDig = !spawnSync('dig', ['-v']).error;
/** A test that needs `dig`: skipped locally without it, but in CI a missing dig fails. */
export const digTest = hasDig || process.env.CI ? test : test.skip;

export interface DigRecord {
  name: string;
  ttl: number;
  type: string;
  data: string;
}

export interface DigReply {
  status: string;
  flags: string[];
  answer: DigRecord[];
  authority: DigRecord[];
  additional: DigRecord[];
  edns: boolean;
  raw: string;
}

export function dig(port: number, ...args: string[]): Promise<DigReply> {
  return new Promise((resolve, reject) => {
    execFile('dig', ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', ...args], { timeout: 8000 }, (err, stdout) => {
      const text = String(stdout ?? '');
      const header = text.match(/->>HEADER<<-\s+opcode:\s*\w+,\s*status:\s*(\w+)/);
      if (!header) {
        reject(err ?? new Error(`no reply: ${text}`));
        return;
      }
      const sections: Record<string, DigRecord[]> = { ANSWER: [], AUTHORITY: [], ADDITIONAL: [] };
      let current: DigRecord[] | null = null;
      for (const line of text.split('\n')) {
        const start = line.match(/^;; (\w+) SECTION:/);
        if (start) {
          current = sections[start[1] as string] ?? null;
          continue;
        }
        if (!line.trim()) {
          current = null;
          continue;
        }
        if (current && !line.startsWith(';')) {
          const [name, ttl, , type, ...rest] = line.trim().split(/\s+/);
          current.push({ name: (name as string).toLowerCase(), ttl: Number(ttl), type: type as string, data: rest.join(' ') });
        }
      }
      const flags = text.match(/;; flags:([^;]*);/);
      resolve({
        status: header[1] as string,
        flags: flags ? (flags[1] as string).trim().split(/\s+/) : [],
        answer: sections.ANSWER as DigRecord[],
        authority: sections.AUTHORITY as DigRecord[],
        additional: sections.ADDITIONAL as DigRecord[],
        edns: text.includes('OPT PSEUDOSECTION'),
        raw: text,
      });
    });
  });
}

export const data = (records: DigRecord[], type: string) =>
  records
    .filter((r) => r.type === type)
    .map((r) => r.data)
    .sort();

// ---------------------------------------------------------------------------------------------
// Raw packets and the dns2 codec

export function buildQuery(name: string, type: string, options: { id?: number; edns?: number; rd?: boolean } = {}): Buffer {
  const p = new Packet();
  p.header.id = options.id ?? Math.floor(Math.random() * 0x10000);
  p.header.rd = options.rd === false ? 0 : 1;
  p.questions.push({ name, type: (Packet.TYPE as Record<string, number>)[type] as number, class: Packet.CLASS.IN } as never);
  if (options.edns) {
    p.additionals.push((Packet.Resource.EDNS as unknown as (r: unknown[], o: object) => never)([], { udpPayloadSize: options.edns }));
  }
  return p.toBuffer();
}

/** Sends one datagram and resolves with the first reply, or null after `timeoutMs`. */
export function udpExchange(port: number, packet: Buffer, timeoutMs = 1500): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      resolve(null);
    }, timeoutMs);
    sock.on('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(msg);
    });
    sock.send(packet, port, '127.0.0.1');
  });
}

export function tcpExchange(port: number, packet: Buffer, timeoutMs = 2000): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    const finish = (v: Buffer | null) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    sock.on('error', () => finish(null));
    sock.on('close', () => finish(null));
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) finish(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    const len = Buffer.alloc(2);
    len.writeUInt16BE(packet.length);
    sock.write(Buffer.concat([len, packet]));
  });
}

export interface Decoded {
  id: number;
  rcode: number;
  aa: number;
  tc: number;
  ra: number;
  answers: { name: string; type: number; address?: string; target?: string; port?: number }[];
  authorities: { type: number }[];
  additionals: { name: string; type: number; address?: string; class?: number }[];
}

export function decode(buf: Buffer): Decoded {
  const p = Packet.parse(buf) as unknown as Decoded & { header: { id: number; rcode: number; aa: number; tc: number; ra: number } };
  return {
    id: p.header.id,
    rcode: p.header.rcode,
    aa: p.header.aa,
    tc: p.header.tc,
    ra: p.header.ra,
    answers: p.answers ?? [],
    authorities: p.authorities ?? [],
    additionals: p.additionals ?? [],
  };
}

/** dns2's own UDP and TCP clients pointed at a port. */
export function dns2Clients(port: number) {
  return {
    udp: dns2.UDPClient({ dns: '127.0.0.1', port, timeout: 2000, retryOverTCP: false } as never),
    tcp: dns2.TCPClient({ dns: '127.0.0.1', port } as never),
  };
}
