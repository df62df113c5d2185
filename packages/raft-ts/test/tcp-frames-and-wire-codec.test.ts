import test from 'ava';
import protobuf from 'protobufjs';
import { FrameDecoder, FrameError, FrameKind, WireFormatError, decodeBatch, encodeBatch, encodeFrame } from '../src/tcp.js';
import { message, type Message, Xoshiro128 } from '../src/index.js';
import { raftDescriptor } from '../src/gen/raft-descriptor.js';
import { decodeSnapshotChunk, encodeSnapshotChunk } from '../src/tcp/wire-codec.js';

const root = protobuf.Root.fromJSON(raftDescriptor as unknown as protobuf.INamespace);
const PbBatch = root.lookupType('concord.raft.v1.Batch');
const PbChunk = root.lookupType('concord.raft.v1.SnapshotChunk');

const sample: Message[] = [
  message({
    type: 'app',
    from: 'server-a',
    to: 'server-b',
    term: 2 ** 40 + 3,
    logTerm: 6,
    index: 41,
    commit: 40,
    entries: [
      { term: 7, index: 42, type: 'conf', data: new Uint8Array([1, 2, 3]) },
      { term: 7, index: 43, type: 'normal', data: new Uint8Array(300).fill(9) },
    ],
  }),
  message({ type: 'heartbeat', from: 'a', to: 'b', term: 7, commit: 40, context: 'read-1' }),
  message({ type: 'appResp', from: 'b', to: 'a', term: 7, index: 9, reject: true, rejectHint: 5, logTerm: 2 }),
  message({ type: 'vote', from: 'c', to: 'a', term: Number.MAX_SAFE_INTEGER, index: 1, logTerm: 1 }),
];

function plain(m: Message): unknown {
  return { ...m, entries: m.entries.map((e) => ({ ...e, data: [...e.data] })) };
}

test('a batch encodes to the bytes raft.proto describes and decodes back unchanged', (t) => {
  const bytes = encodeBatch(sample);
  const viaProto = PbBatch.toObject(PbBatch.decode(bytes), { longs: Number, enums: String, defaults: true }) as {
    messages: { type: string; term: number; from: string; entries: { type: string }[] }[];
  };
  t.deepEqual(
    viaProto.messages.map((m) => [m.type, m.from, m.term, m.entries.map((e) => e.type)]),
    [
      ['MSG_APP', 'server-a', 2 ** 40 + 3, ['ENTRY_CONF', 'ENTRY_NORMAL']],
      ['MSG_HEARTBEAT', 'a', 7, []],
      ['MSG_APP_RESP', 'b', 7, []],
      ['MSG_VOTE', 'c', Number.MAX_SAFE_INTEGER, []],
    ],
  );
  t.deepEqual(decodeBatch(bytes).map(plain), sample.map(plain));
  // And what a generic protobuf encoder writes (field order, defaults written out) decodes alike.
  const generic = PbBatch.encode(PbBatch.fromObject(viaProto)).finish();
  t.deepEqual(decodeBatch(generic).map(plain), sample.map(plain));
});

test('a snapshot chunk carries its header, metadata, data and last flag', (t) => {
  const header = message({ type: 'snap', from: 'a', to: 'b', term: 4 });
  const meta = { index: 900, term: 3, conf: { voters: ['a', 'b', 'c'], learners: ['d'] } };
  const bytes = encodeSnapshotChunk({ header, meta, data: new Uint8Array([5, 6]), last: true });
  const viaProto = PbChunk.toObject(PbChunk.decode(bytes), { longs: Number, defaults: true }) as { meta: { index: number; conf: { learners: string[] } }; last: boolean };
  t.is(viaProto.meta.index, 900);
  t.deepEqual(viaProto.meta.conf.learners, ['d']);
  t.true(viaProto.last);
  const back = decodeSnapshotChunk(bytes);
  t.deepEqual(back.meta, meta);
  t.is(back.header?.type, 'snap');
  t.deepEqual([...back.data], [5, 6]);
});

test('64-bit values above 2^53 and unknown message types are refused', (t) => {
  const big = PbBatch.encode(PbBatch.fromObject({ messages: [{ type: 'MSG_HEARTBEAT', term: '18446744073709551615' }] })).finish();
  t.throws(() => decodeBatch(big), { instanceOf: WireFormatError, message: /2\^53/ });
  const unknown = PbBatch.encode(PbBatch.fromObject({ messages: [{ type: 0, term: 1 }] })).finish();
  t.throws(() => decodeBatch(unknown), { instanceOf: WireFormatError, message: /type/ });
});

test('random bytes never decode into anything but a WireFormatError or valid messages', (t) => {
  const rng = new Xoshiro128(1234);
  const valid = encodeBatch(sample);
  let refused = 0;
  for (let i = 0; i < 5000; i++) {
    let bytes: Uint8Array;
    if (i % 2 === 0) {
      bytes = new Uint8Array(1 + rng.int(64)).map(() => rng.nextU32() & 0xff);
    } else {
      // A valid batch with a few bytes changed or cut short.
      bytes = valid.slice(0, valid.length - rng.int(8));
      for (let k = 0; k < 3; k++) bytes[rng.int(bytes.length)] = rng.nextU32() & 0xff;
    }
    try {
      for (const m of decodeBatch(bytes)) t.true(Number.isSafeInteger(m.term) && typeof m.from === 'string');
    } catch (err) {
      if (!(err instanceof WireFormatError)) t.fail(`threw ${String(err)}`);
      refused++;
    }
  }
  t.true(refused > 1000, `${refused} refused`);
});

test('frames split anywhere in the stream come out whole and in order', (t) => {
  const frames = [
    encodeFrame(FrameKind.batch, new Uint8Array([1, 2, 3])),
    encodeFrame(FrameKind.snapshotAck, new Uint8Array(0)),
    encodeFrame(FrameKind.batch, new Uint8Array(1000).fill(7)),
  ];
  const stream = Buffer.concat(frames);
  for (const step of [1, 2, 3, 5, 7, 64, stream.length]) {
    const d = new FrameDecoder(4096);
    const got: { kind: number; len: number }[] = [];
    for (let at = 0; at < stream.length; at += step) for (const f of d.push(stream.subarray(at, at + step))) got.push({ kind: f.kind, len: f.payload.byteLength });
    t.deepEqual(got, [
      { kind: FrameKind.batch, len: 3 },
      { kind: FrameKind.snapshotAck, len: 0 },
      { kind: FrameKind.batch, len: 1000 },
    ]);
    t.is(d.buffered, 0);
  }
});

test('an oversize frame is refused from its 4-byte length, before its body is held', (t) => {
  const d = new FrameDecoder(1024);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(0xffffffff, 0);
  t.throws(() => d.push(header), { instanceOf: FrameError, message: /exceeds the limit of 1024/ });
  const ok = new FrameDecoder(1024);
  t.deepEqual(ok.push(encodeFrame(FrameKind.batch, new Uint8Array(1024))).length, 1, 'exactly the limit is accepted');
  t.throws(() => new FrameDecoder(1024).push(encodeFrame(FrameKind.batch, new Uint8Array(1025))), { instanceOf: FrameError });
});

test('empty frames and unknown frame kinds are refused', (t) => {
  t.throws(() => new FrameDecoder(64).push(Buffer.from([0, 0, 0, 0])), { instanceOf: FrameError, message: /empty/ });
  t.throws(() => new FrameDecoder(64).push(Buffer.from([0, 0, 0, 1, 99])), { instanceOf: FrameError, message: /unknown frame kind 99/ });
});
