import test from 'ava';
import type { Command } from '../src/index.js';
import { StateError, decodeCommand, encodeCommand } from '../src/index.js';

test('a command survives encode and decode unchanged', (t) => {
  const c: Command = { type: 'txn', ops: [{ Verb: 'cas', Key: 'k', Value: 'eA==', Index: 0 }], time: 12 };
  t.deepEqual(decodeCommand(encodeCommand(c)), c);
});

test('decode reads a view into a larger buffer correctly', (t) => {
  const bytes = encodeCommand({ type: 'tombstone-reap', upTo: 3 });
  const big = Buffer.concat([Buffer.from('xxxx'), bytes, Buffer.from('yy')]);
  t.deepEqual(decodeCommand(big.subarray(4, 4 + bytes.length)), { type: 'tombstone-reap', upTo: 3 });
});

const bad = ['not json', '42', 'null', '{"op":1}'];
for (const text of bad) {
  test(`decoding ${JSON.stringify(text)} throws STATE_INVALID_REQUEST`, (t) => {
    const err = t.throws(() => decodeCommand(Buffer.from(text)));
    t.true(err instanceof StateError);
    t.is((err as StateError).code, 'STATE_INVALID_REQUEST');
  });
}
