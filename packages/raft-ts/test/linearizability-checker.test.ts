import test from 'ava';
import { checkHistory, checkOperations, type Operation } from '../src/check/linearizability.js';
import { registerModel, type RegisterInput, type RegisterOutput } from '../src/check/register-model.js';

type Op = Operation<RegisterInput, RegisterOutput>;

const w = (clientId: number, key: string, value: number, call: number, ret: number): Op => ({
  clientId,
  input: { kind: 'write', key, value },
  output: true,
  call,
  ret,
});
const r = (clientId: number, key: string, output: number | null, call: number, ret: number): Op => ({
  clientId,
  input: { kind: 'read', key },
  output,
  call,
  ret,
});
const cas = (clientId: number, key: string, from: number | null, to: number, output: boolean | undefined, call: number, ret: number): Op => ({
  clientId,
  input: { kind: 'cas', key, from, to },
  output,
  call,
  ret,
});

test('a sequential history that reads its own writes is linearizable', (t) => {
  const h = [w(0, 'x', 1, 0, 10), r(0, 'x', 1, 20, 30), w(0, 'x', 2, 40, 50), r(0, 'x', 2, 60, 70)];
  t.is(checkOperations(registerModel, h), 'ok');
});

test('a read concurrent with a write may see the old or the new value', (t) => {
  t.is(checkOperations(registerModel, [w(0, 'x', 1, 0, 100), r(1, 'x', null, 10, 20), r(2, 'x', 1, 30, 40)]), 'ok');
  t.is(checkOperations(registerModel, [w(0, 'x', 1, 0, 100), r(1, 'x', 1, 10, 20), r(2, 'x', 1, 30, 40)]), 'ok');
});

test('a stale read after a completed write is not linearizable', (t) => {
  // Porcupine's README example: the write of 200 completed before the read began.
  const h = [w(0, 'x', 100, 0, 10), w(1, 'x', 200, 20, 30), r(2, 'x', 100, 40, 50)];
  t.is(checkOperations(registerModel, h), 'illegal');
});

test('two readers that observe the new value and then the old one are not linearizable', (t) => {
  const h = [w(0, 'x', 1, 0, 100), r(1, 'x', 1, 10, 20), r(2, 'x', null, 30, 40)];
  t.is(checkOperations(registerModel, h), 'illegal');
});

test('a write with an unknown outcome may or may not have taken effect', (t) => {
  const seen = [w(0, 'x', 1, 0, Infinity) as Op, r(1, 'x', 1, 50, 60)].map((o, i) => (i === 0 ? { ...o, output: undefined } : o));
  t.is(checkOperations(registerModel, seen), 'ok');
  const notSeen = [{ ...w(0, 'x', 1, 0, Infinity), output: undefined }, r(1, 'x', null, 50, 60)];
  t.is(checkOperations(registerModel, notSeen), 'ok');
  const seenThenLost = [{ ...w(0, 'x', 1, 0, Infinity), output: undefined }, r(1, 'x', 1, 50, 60), r(1, 'x', null, 70, 80)];
  t.is(checkOperations(registerModel, seenThenLost), 'illegal');
});

test('compare-and-set results must agree with the register value', (t) => {
  t.is(checkOperations(registerModel, [w(0, 'x', 1, 0, 10), cas(1, 'x', 1, 2, true, 20, 30), r(0, 'x', 2, 40, 50)]), 'ok');
  t.is(checkOperations(registerModel, [w(0, 'x', 1, 0, 10), cas(1, 'x', 3, 2, true, 20, 30)]), 'illegal');
  t.is(checkOperations(registerModel, [w(0, 'x', 1, 0, 10), cas(1, 'x', 1, 2, false, 20, 30)]), 'illegal');
  t.is(checkOperations(registerModel, [cas(0, 'x', null, 5, undefined, 0, Infinity), r(1, 'x', 5, 20, 30)]), 'ok');
});

test('histories are checked per key, and a violation names its key', (t) => {
  const h = [w(0, 'a', 1, 0, 10), r(1, 'a', 1, 20, 30), w(0, 'b', 1, 0, 10), w(0, 'b', 2, 20, 30), r(1, 'b', 1, 40, 50)];
  const report = checkHistory(registerModel, h);
  t.is(report.result, 'illegal');
  t.deepEqual(report.failedPartitions, ['b']);
});

test('a search that exceeds its budget answers unknown rather than hanging', (t) => {
  const h: Op[] = [];
  for (let i = 0; i < 40; i++) h.push(w(i, 'x', i, 0, 1000));
  h.push(r(99, 'x', 12345, 2000, 2010));
  t.is(checkOperations(registerModel, h, 500), 'unknown');
});

test('many concurrent writers followed by consistent reads check quickly', (t) => {
  const h: Op[] = [];
  for (let i = 0; i < 30; i++) h.push(w(i, 'x', i, i, 100 + i));
  h.push(r(99, 'x', 29, 200, 210), r(98, 'x', 29, 220, 230));
  t.is(checkOperations(registerModel, h), 'ok');
});
