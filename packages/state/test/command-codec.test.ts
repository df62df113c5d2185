import test from 'ava';
import type { Command, KvOp, KvVerb } from '../src/index.js';
import { KV_VERBS, StateError, StateStore, decodeCommand, encodeCommand, encodesExactly } from '../src/index.js';

test('a command survives encode and decode unchanged', (t) => {
  const c: Command = { type: 'txn', ops: [{ Verb: 'cas', Key: 'k', Value: 'eA==', Index: 0 }], time: 12 };
  t.deepEqual(decodeCommand(encodeCommand(c)), c);
});

test('decode reads a view into a larger buffer correctly', (t) => {
  const bytes = encodeCommand({ type: 'tombstone-reap', upTo: 3 });
  const big = Buffer.concat([Buffer.from('xxxx'), bytes, Buffer.from('yy')]);
  t.deepEqual(decodeCommand(big.subarray(4, 4 + bytes.length)), { type: 'tombstone-reap', upTo: 3 });
  const kv = encodeCommand({ type: 'kv', op: { Verb: 'set', Key: 'a', Value: 'eA==', Flags: 0 }, time: 5 });
  const bigKv = Buffer.concat([Buffer.from('{'), kv, Buffer.from('}')]);
  t.deepEqual(decodeCommand(bigKv.subarray(1, 1 + kv.length)), { type: 'kv', op: { Verb: 'set', Key: 'a', Value: 'eA==', Flags: 0 }, time: 5 });
});

const bad = ['not json', '42', 'null', '{"op":1}'];
for (const text of bad) {
  test(`decoding ${JSON.stringify(text)} throws STATE_INVALID_REQUEST`, (t) => {
    const err = t.throws(() => decodeCommand(Buffer.from(text)));
    t.true(err instanceof StateError);
    t.is((err as StateError).code, 'STATE_INVALID_REQUEST');
  });
}

const VERBS: KvVerb[] = [
  'set',
  'cas',
  'lock',
  'unlock',
  'delete',
  'delete-tree',
  'delete-cas',
  'get',
  'get-or-empty',
  'get-tree',
  'check-index',
  'check-session',
  'check-not-exists',
];

/** Every verb with every combination of the optional fields, some with values far from the usual. */
function kvCommands(): Command[] {
  const out: Command[] = [];
  const values: (string | null | undefined)[] = [undefined, null, '', 'eA==', Buffer.alloc(300, 7).toString('base64')];
  const flags: (number | string | undefined)[] = [undefined, 0, 42, 2 ** 53 - 1, '18446744073709551615', -0, 1.5, Number.NaN];
  const indexes: (number | undefined)[] = [undefined, 0, 7, 2 ** 52 + 3];
  const sessions: (string | undefined)[] = [undefined, '', 'adf4238a-882b-9ddc-4a9d-5b6758e4159e'];
  const keys = ['', 'a', 'bench/put/1', 'ünïcödé/ключ/键/🔑', 'x'.repeat(2000)];
  const times: (number | undefined)[] = [undefined, 0, 1_733_000_000_123];
  let n = 0;
  for (const Verb of VERBS) {
    for (const Key of keys) {
      for (const Value of values) {
        const op: KvOp = { Verb, Key };
        if (Value !== undefined) op.Value = Value;
        const f = flags[n % flags.length];
        if (f !== undefined) op.Flags = f;
        const i = indexes[n % indexes.length];
        if (i !== undefined) op.Index = i;
        const s = sessions[n % sessions.length];
        if (s !== undefined) op.Session = s;
        const time = times[n % times.length];
        out.push(time === undefined ? { type: 'kv', op } : { type: 'kv', op, time });
        n++;
      }
    }
  }
  return out;
}

test('every kv command is a binary record that decodes to the same command, field for field', (t) => {
  // the record's verb table is the one list of KV verbs (the txn decoder checks against it too)
  t.deepEqual([...KV_VERBS].sort(), [...VERBS].sort());
  t.is(new Set(KV_VERBS).size, KV_VERBS.length);
  const commands = kvCommands();
  t.true(commands.length > 300);
  for (const c of commands) {
    const bytes = encodeCommand(c);
    t.true(encodesExactly(bytes), JSON.stringify(c));
    t.not(bytes[0], '{'.charCodeAt(0));
    const back = decodeCommand(bytes);
    t.deepEqual(back, c);
    // Numbers bit for bit: -0 stays -0 and NaN stays NaN (JSON would give 0 and null).
    if (c.type === 'kv' && back.type === 'kv') t.true(Object.is(back.op.Flags, c.op.Flags));
  }
});

test('a kv record is smaller than the JSON of the same command', (t) => {
  const c: Command = { type: 'kv', op: { Verb: 'set', Key: 'bench/put/0/1', Value: Buffer.alloc(256, 'v').toString('base64'), Flags: 0 }, time: Date.now() };
  t.true(encodeCommand(c).length < Buffer.byteLength(JSON.stringify(c)));
});

test('a kv command with a field the record cannot hold exactly is JSON, decoded on every server', (t) => {
  const odd: Command[] = [
    // a lone surrogate: UTF-8 would replace it, JSON escapes it
    { type: 'kv', op: { Verb: 'set', Key: 'a\ud800b', Value: 'eA==' } },
    { type: 'kv', op: { Verb: 'lock', Key: 'a', Session: '\udfff' } },
    // types the record has no place for (a forwarded command is parsed from JSON)
    { type: 'kv', op: { Verb: 'cas', Key: 'a', Index: '3' as unknown as number } },
    { type: 'kv', op: { Verb: 'set', Key: 'a', Value: 5 as unknown as string } },
    { type: 'kv', op: { Verb: 'set', Key: 'a', Flags: { x: 1 } as unknown as number } },
    { type: 'kv', op: { Verb: 'set', Key: 7 as unknown as string } },
    { type: 'kv', op: { Verb: 'set', Key: 'a' }, time: '1' as unknown as number },
    // a verb the record does not know: apply refuses it the same way on every server
    { type: 'kv', op: { Verb: 'frobnicate' as KvVerb, Key: 'a' } },
  ];
  for (const c of odd) {
    const bytes = encodeCommand(c);
    t.false(encodesExactly(bytes), JSON.stringify(c));
    t.is(bytes[0], '{'.charCodeAt(0));
    t.deepEqual(decodeCommand(bytes), JSON.parse(JSON.stringify(c)));
  }
});

test('commands other than kv are JSON, as before', (t) => {
  const c: Command = { type: 'session-destroy', id: 'abc', time: 3 };
  const bytes = encodeCommand(c);
  t.false(encodesExactly(bytes));
  t.is(bytes.toString('utf8'), JSON.stringify(c));
});

test('kv entries written as JSON by earlier versions are still applied, with the same state as the binary records', (t) => {
  const commands: Command[] = [
    { type: 'register', reg: { Node: 'n1', Address: '127.0.0.1' }, time: 999 },
    {
      type: 'session-create',
      session: { ID: 'adf4238a-882b-9ddc-4a9d-5b6758e4159e', Node: 'n1', NodeChecks: [], ServiceChecks: null, LockDelay: 15_000_000_000, Behavior: 'release', TTL: '' },
      time: 1000,
    },
    { type: 'kv', op: { Verb: 'set', Key: 'a', Value: 'eA==', Flags: 3 }, time: 1001 },
    { type: 'kv', op: { Verb: 'cas', Key: 'a', Value: 'eQ==', Index: 3 }, time: 1002 },
    { type: 'kv', op: { Verb: 'cas', Key: 'a', Value: 'eg==', Index: 3 }, time: 1003 },
    { type: 'kv', op: { Verb: 'lock', Key: 'l', Value: null, Session: 'adf4238a-882b-9ddc-4a9d-5b6758e4159e', Flags: '18446744073709551615' }, time: 1004 },
    { type: 'kv', op: { Verb: 'unlock', Key: 'l', Session: 'adf4238a-882b-9ddc-4a9d-5b6758e4159e' }, time: 1005 },
    { type: 'kv', op: { Verb: 'set', Key: 'tree/1', Value: 'MQ==' }, time: 1006 },
    { type: 'kv', op: { Verb: 'delete-tree', Key: 'tree/' }, time: 1007 },
    { type: 'kv', op: { Verb: 'delete-cas', Key: 'a', Index: 4 }, time: 1008 },
  ];
  const fromJson = new StateStore();
  const fromRecords = new StateStore();
  for (const [i, c] of commands.entries()) {
    // what the log held before the binary record: the command's JSON
    const old = fromJson.apply(i + 1, decodeCommand(Buffer.from(JSON.stringify(c))));
    const now = fromRecords.apply(i + 1, decodeCommand(encodeCommand(c)));
    t.deepEqual(now, old, `step ${i + 1}`);
  }
  t.deepEqual(fromRecords.snapshot(), fromJson.snapshot());
  t.is(fromRecords.kvGet('a').value, undefined);
  t.is(fromRecords.kvGet('l').value?.LockIndex, 1);
});

test('a damaged kv record is refused with STATE_INVALID_REQUEST, never applied half-read', (t) => {
  const bytes = encodeCommand({ type: 'kv', op: { Verb: 'cas', Key: 'key', Value: 'eA==', Flags: 'f', Index: 4, Session: 's' }, time: 9 });
  const damaged: Buffer[] = [];
  for (let n = 1; n < bytes.length; n++) damaged.push(bytes.subarray(0, n));
  damaged.push(Buffer.concat([bytes, Buffer.from([0])]));
  const unknownVerb = Buffer.from(bytes);
  unknownVerb[1] = 200;
  damaged.push(unknownVerb);
  const badFields = Buffer.from(bytes);
  badFields[2] = 0x80;
  damaged.push(badFields);
  const longString = Buffer.from(bytes);
  longString.writeUInt32LE(0xffffffff, bytes.length - 9);
  damaged.push(longString);
  for (const d of damaged) {
    const err = t.throws(() => decodeCommand(d), undefined, d.toString('hex'));
    t.true(err instanceof StateError);
    t.is((err as StateError).code, 'STATE_INVALID_REQUEST');
  }
});
