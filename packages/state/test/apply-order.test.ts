import test from 'ava';
import { StateStore } from '../src/index.js';

const put = { type: 'kv', op: { Verb: 'set', Key: 'a', Value: 'eA==' } } as const;

test('apply with a non-increasing index throws and changes nothing', (t) => {
  const s = new StateStore();
  s.apply(5, put);
  for (const index of [5, 4, 0]) {
    const err = t.throws(() => s.apply(index, { type: 'kv', op: { Verb: 'set', Key: 'b', Value: 'eQ==' } }));
    t.is((err as { code?: string }).code, 'STATE_INVALID_REQUEST');
  }
  t.is(s.lastIndex, 5);
  t.is(s.kvGet('b').value, undefined);
});

test('indexes may skip numbers, and entries take the apply index', (t) => {
  const s = new StateStore();
  s.apply(10, put);
  s.apply(42, { type: 'kv', op: { Verb: 'set', Key: 'b', Value: 'eA==' } });
  t.is(s.kvGet('b').value?.ModifyIndex, 42);
  t.is(s.lastIndex, 42);
});

test('a rejected command still consumes its index', (t) => {
  const s = new StateStore();
  const r = s.apply(3, { type: 'kv', op: { Verb: 'lock', Key: 'a', Session: 'ghost' } });
  t.truthy(r.error);
  t.is(s.lastIndex, 3);
  t.throws(() => s.apply(3, put));
});

test('the datacenter is taken from the options and defaults to dc1', (t) => {
  t.is(new StateStore().datacenter, 'dc1');
  const s = new StateStore({ datacenter: 'eu1' });
  s.apply(1, { type: 'register', reg: { Node: 'n', Address: 'a' } });
  t.is(s.node('n')?.Datacenter, 'eu1');
});
