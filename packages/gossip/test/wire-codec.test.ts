import test from 'ava';
import type { PacketMessage } from '../src/index.js';
import { decodePacket, decodeStream, encodePacket, encodeStream, parseAddress } from '../src/index.js';

const all: PacketMessage[] = [
  { t: 'ping', seq: 1, node: 'a' },
  { t: 'indirect-ping', seq: 2, node: 'b', addr: '10.0.0.2', port: 8301, nack: true },
  { t: 'ack', seq: 3 },
  { t: 'nack', seq: 4 },
  { t: 'alive', node: 'c', inc: 5, addr: '10.0.0.3', port: 8301, tags: { role: 'consul', dc: 'dc1' } },
  { t: 'suspect', node: 'd', inc: 6, from: 'a' },
  { t: 'dead', node: 'e', inc: 7, from: 'e' },
  { t: 'dead', node: 'e', inc: 8, from: 'e', prune: true },
];

test('every packet message survives an encode and decode round trip', (t) => {
  t.deepEqual(decodePacket(encodePacket(all)), all);
});

test('stream messages survive a round trip', (t) => {
  const pp = {
    t: 'push-pull' as const,
    join: true,
    states: [{ name: 'a', addr: '10.0.0.1', port: 8301, inc: 3, status: 'left' as const, tags: {} }],
  };
  t.deepEqual(decodeStream(encodeStream(pp)), pp);
  t.deepEqual(decodeStream(encodeStream({ t: 'stream-ack', seq: 9, ok: true })), { t: 'stream-ack', seq: 9, ok: true });
});

test('malformed packets are refused with GOSSIP_DECODE', (t) => {
  const bad = [
    'nope',
    '{"t":"ping","seq":1,"node":"a"}',
    '[{"t":"ping","seq":-1,"node":"a"}]',
    '[{"t":"ping","seq":1.5,"node":"a"}]',
    '[{"t":"alive","node":"a","inc":1,"addr":"x","port":1,"tags":{"k":1}}]',
    '[{"t":"teleport"}]',
    '[null]',
  ];
  for (const b of bad) t.throws(() => decodePacket(Buffer.from(b)), { code: 'GOSSIP_DECODE' } as never, b);
  t.throws(() => decodeStream(Buffer.from('{"t":"push-pull","join":true,"states":[{"name":"a"}]}')), {
    code: 'GOSSIP_DECODE',
  } as never);
  t.throws(() => decodeStream(Buffer.from('{"t":"push-pull-reply","states":[{"name":"a","addr":"1.1.1.1","port":1,"inc":1,"status":"zombie","tags":{}}]}')), {
    code: 'GOSSIP_DECODE',
  } as never);
});

test('addresses are IP literals with an optional port, never names', (t) => {
  t.deepEqual(parseAddress('10.1.2.3'), { addr: '10.1.2.3', port: 8301 });
  t.deepEqual(parseAddress('10.1.2.3:7946'), { addr: '10.1.2.3', port: 7946 });
  t.deepEqual(parseAddress('[::1]:9000'), { addr: '::1', port: 9000 });
  t.deepEqual(parseAddress('::1'), { addr: '::1', port: 8301 });
  t.throws(() => parseAddress('consul.service:8301'), { code: 'GOSSIP_CONFIG' } as never);
  t.throws(() => parseAddress('10.0.0.1:99999'), { code: 'GOSSIP_CONFIG' } as never);
});
