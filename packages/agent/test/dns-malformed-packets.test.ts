import { connect } from 'node:net';

import test from 'ava';

import { StateStore } from '@concord/state';

import { defaultDnsConfig, stateCatalog } from '../src/dns/index.js';
import { QueryHandler } from '../src/dns/query-handler.js';
import { RecursorRelay } from '../src/dns/recursor.js';
import { buildQuery, decode, registerMany, startFixture, udpExchange } from './_dns-helpers.js';

/** mulberry32: a small seeded PRNG so a failing case replays. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function header(id: number, flags: number, qd: number, an: number, ns: number, ar: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(id, 0);
  b.writeUInt16BE(flags, 2);
  b.writeUInt16BE(qd, 4);
  b.writeUInt16BE(an, 6);
  b.writeUInt16BE(ns, 8);
  b.writeUInt16BE(ar, 10);
  return b;
}

const rcodeOf = (b: Buffer) => (b[3] as number) & 0xf;

test('hostile packets get FORMERR, NOTIMP or nothing, and never delay the next query', async (t) => {
  const f = await startFixture(t);
  registerMany(f, 'web', 3);
  const q = (name: string) => Buffer.concat(name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])));
  const cases: [string, Buffer, number | null][] = [
    ['a 12-byte header of 0xff', Buffer.alloc(12, 0xff), null],
    ['every count at 65535', header(7, 0x0100, 0xffff, 0xffff, 0xffff, 0xffff), 1],
    ['one question and nothing after the header', header(7, 0x0100, 1, 0, 0, 0), 1],
    ['a label longer than 63', Buffer.concat([header(7, 0, 1, 0, 0, 0), Buffer.from([64]), Buffer.alloc(64, 0x61), Buffer.from([0, 0, 1, 0, 1])]), 1],
    ['a compression pointer to itself', Buffer.concat([header(7, 0, 1, 0, 0, 0), Buffer.from([0xc0, 12, 0, 1, 0, 1])]), 1],
    ['a label running past the end', Buffer.concat([header(7, 0, 1, 0, 0, 0), Buffer.from([40, 0x61, 0x62])]), 1],
    ['a question without type and class', Buffer.concat([header(7, 0, 1, 0, 0, 0), q('web.service.consul'), Buffer.from([0])]), 1],
    [
      'a name over 255 bytes',
      Buffer.concat([header(7, 0, 1, 0, 0, 0), ...Array(5).fill(Buffer.concat([Buffer.from([60]), Buffer.alloc(60, 0x61)])), Buffer.from([0, 0, 1, 0, 1])]),
      1,
    ],
    [
      'an OPT record whose options overrun it',
      Buffer.concat([header(7, 0, 1, 0, 0, 1), q('web.service.consul'), Buffer.from([0, 0, 1, 0, 1]), Buffer.from([0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 6, 0, 8, 0, 40, 0, 1])]),
      1,
    ],
    [
      'an answer record with a forward pointer loop',
      Buffer.concat([header(7, 0, 1, 1, 0, 0), q('web.service.consul'), Buffer.from([0, 0, 1, 0, 1]), Buffer.from([0xc0, 40, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0])]),
      1,
    ],
    ['an inverse query opcode', Buffer.concat([header(7, 1 << 11, 1, 0, 0, 0), q('web.service.consul'), Buffer.from([0, 0, 1, 0, 1])]), 4],
    ['a response instead of a query', Buffer.concat([header(7, 0x8000, 1, 0, 0, 0), q('web.service.consul'), Buffer.from([0, 0, 1, 0, 1])]), null],
  ];
  for (const [what, packet, rcode] of cases) {
    const started = Date.now();
    const reply = await udpExchange(f.port, packet, rcode === null ? 150 : 1000);
    if (rcode === null) t.is(reply, null, what);
    else {
      t.truthy(reply, what);
      if (reply) {
        t.is(rcodeOf(reply), rcode, what);
        t.is(reply.readUInt16BE(0), 7, what);
      }
    }
    const ok = await udpExchange(f.port, buildQuery('web.service.consul', 'A'));
    t.is(decode(ok as Buffer).answers.length, 3, `a valid query still answered after ${what}`);
    t.true(Date.now() - started < 1500, what);
  }
});

test('random and mutated packets never throw, stall or produce a malformed reply', async (t) => {
  const state = new StateStore({ datacenter: 'dc1' });
  for (let i = 0; i < 5; i++) {
    state.apply(i + 1, {
      type: 'register',
      reg: { Node: `n${i}`, Address: `10.0.0.${i + 1}`, NodeMeta: { k: 'v' }, Service: { ID: `w${i}`, Service: 'web', Port: 80 + i, Tags: ['t'] } },
    });
  }
  const handler = new QueryHandler({
    catalog: stateCatalog(state),
    config: defaultDnsConfig(),
    domains: ['consul'],
    datacenter: 'dc1',
    relay: new RecursorRelay([], { timeoutMs: 100, strategy: 'sequential' }),
  });
  const seeds = [
    buildQuery('web.service.consul', 'SRV', { edns: 1232 }),
    buildQuery('_web._t.service.dc1.consul', 'SRV'),
    buildQuery('n1.node.consul', 'ANY'),
    buildQuery('0a000001.addr.consul', 'A', { edns: 512 }),
    buildQuery('consul', 'SOA'),
    buildQuery('1.0.0.10.in-addr.arpa', 'PTR'),
  ];
  const rand = prng(0xc0ffee);
  const int = (n: number) => Math.floor(rand() * n);
  const started = Date.now();
  let answered = 0;
  for (let i = 0; i < 6000; i++) {
    let packet: Buffer;
    if (i % 3 === 0) {
      packet = Buffer.alloc(int(80));
      for (let j = 0; j < packet.length; j++) packet[j] = int(256);
      if (packet.length > 3 && rand() < 0.5) packet[2] = (packet[2] as number) & 0x7f; // mostly queries
    } else {
      packet = Buffer.from(seeds[int(seeds.length)] as Buffer);
      const edits = 1 + int(4);
      for (let e = 0; e < edits; e++) {
        const kind = int(4);
        if (kind === 0 && packet.length) packet[int(packet.length)] = int(256);
        else if (kind === 1) packet = packet.subarray(0, int(packet.length + 1));
        else if (kind === 2) packet = Buffer.concat([packet, Buffer.from([int(256), int(256), int(256)])]);
        else if (packet.length > 12) packet.writeUInt16BE(int(0x10000), 4 + 2 * int(4));
      }
    }
    let reply: Buffer | null;
    try {
      reply = await handler.handle(packet, i % 2 === 0);
    } catch (err) {
      t.fail(`handler threw on ${packet.toString('hex')}: ${String(err)}`);
      return;
    }
    if (reply === null) continue;
    answered++;
    t.true(reply.length >= 12 && reply.length <= 65535);
    t.is(reply.readUInt16BE(0), packet.readUInt16BE(0));
    t.is((reply[2] as number) & 0x80, 0x80, 'QR set');
    t.notThrows(() => decode(reply as Buffer), packet.toString('hex'));
  }
  t.true(answered > 1000);
  t.true(Date.now() - started < 20_000);
});

test('the live server survives a burst of junk over UDP and TCP', async (t) => {
  const f = await startFixture(t);
  registerMany(f, 'web', 2);
  const rand = prng(42);
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < 300; i++) {
    const b = Buffer.from(buildQuery('web.service.consul', 'SRV'));
    b[12 + Math.floor(rand() * (b.length - 12))] = Math.floor(rand() * 256);
    sends.push(udpExchange(f.port, b, 50));
  }
  await Promise.all(sends);
  await new Promise<void>((resolve) => {
    const sock = connect({ host: '127.0.0.1', port: f.server.tcpPort }, () => {
      sock.write(Buffer.from([0x00, 0x05, 1, 2, 3, 4, 5, 0xff, 0xff, 0xde, 0xad]));
    });
    sock.on('error', () => resolve());
    sock.on('close', () => resolve());
  });
  const ok = await udpExchange(f.port, buildQuery('web.service.consul', 'A'));
  t.is(decode(ok as Buffer).answers.length, 2);
});
