import test from 'ava';
import { Harness, b64, watchCount } from './_helpers.js';

test('a watch on a KV key wakes on a write to that key, once', (t) => {
  const h = new Harness();
  h.set('a', '1');
  const w = watchCount(h.store, h.store.kvGet('a').topics);
  h.set('a', '2');
  h.set('a', '3');
  t.is(w.fired(), 1, 'a watch fires once and is then gone');
  t.is(h.store.watcherCount, 0);
});

const keyRows: { title: string; act: (h: Harness) => void; wakes: boolean }[] = [
  { title: 'a write to another key', act: (h) => void h.set('ab', 'x'), wakes: false },
  { title: 'a write to a parent-looking key', act: (h) => void h.set('a/', 'x'), wakes: false },
  { title: 'an identical write to the key', act: (h) => void h.set('a', '1'), wakes: false },
  { title: 'a failed cas on the key', act: (h) => void h.kv({ Verb: 'cas', Key: 'a', Index: 0 }), wakes: false },
  { title: 'a delete of the key', act: (h) => void h.kv({ Verb: 'delete', Key: 'a' }), wakes: true },
  { title: 'a delete-tree covering the key', act: (h) => void h.kv({ Verb: 'delete-tree', Key: '' }), wakes: true },
  { title: 'a txn writing the key', act: (h) => void h.txn([{ Verb: 'set', Key: 'a', Value: b64('t') }]), wakes: true },
  { title: 'a catalog registration', act: (h) => void h.node('n1'), wakes: false },
];
for (const row of keyRows) {
  test(`a watch on a KV key ${row.wakes ? 'wakes' : 'does not wake'} on ${row.title}`, (t) => {
    const h = new Harness();
    h.set('a', '1');
    const w = watchCount(h.store, h.store.kvGet('a').topics);
    row.act(h);
    t.is(w.fired(), row.wakes ? 1 : 0);
  });
}

test('a watch on a missing key wakes when it is created', (t) => {
  const h = new Harness();
  const w = watchCount(h.store, h.store.kvGet('later').topics);
  h.set('other', 'x');
  t.is(w.fired(), 0);
  h.set('later', 'x');
  t.is(w.fired(), 1);
});

const prefixRows: { title: string; act: (h: Harness) => void; wakes: boolean }[] = [
  { title: 'a write under the prefix', act: (h) => void h.set('p/new', 'x'), wakes: true },
  { title: 'a write deep under the prefix', act: (h) => void h.set('p/a/b/c', 'x'), wakes: true },
  { title: 'a delete under the prefix', act: (h) => void h.kv({ Verb: 'delete', Key: 'p/a' }), wakes: true },
  { title: 'a write outside the prefix', act: (h) => void h.set('q/a', 'x'), wakes: false },
  { title: 'a write to the prefix without its slash', act: (h) => void h.set('p', 'x'), wakes: false },
  { title: 'a delete outside the prefix', act: (h) => void h.kv({ Verb: 'delete', Key: 'q' }), wakes: false },
  {
    title: 'a lock released under the prefix by a session destroy',
    act: (h) => void h.apply({ type: 'session-destroy', id: 's' }),
    wakes: true,
  },
];
for (const row of prefixRows) {
  test(`a prefix watch ${row.wakes ? 'wakes' : 'does not wake'} on ${row.title}`, (t) => {
    const h = new Harness();
    h.agentNode('n1');
    h.session('s', 'n1');
    h.set('p/a', '1');
    h.set('q', '1');
    h.kv({ Verb: 'lock', Key: 'p/locked', Session: 's' });
    const w = watchCount(h.store, h.store.kvList('p/').topics);
    const wk = watchCount(h.store, h.store.kvKeys('p/', '/').topics);
    row.act(h);
    t.is(w.fired(), row.wakes ? 1 : 0);
    t.is(wk.fired(), row.wakes ? 1 : 0);
  });
}

function services(): Harness {
  const h = new Harness();
  h.node('n1', { Service: { ID: 'web1', Service: 'web' }, Check: { CheckID: 'service:web1', ServiceID: 'web1', Status: 'passing' } });
  h.node('n2', { Service: { ID: 'db1', Service: 'db' }, Check: { CheckID: 'service:db1', ServiceID: 'db1', Status: 'passing' } });
  return h;
}

const serviceRows: { title: string; act: (h: Harness) => void; wakes: boolean }[] = [
  {
    title: 'a check change of one of its instances',
    act: (h) => void h.apply({ type: 'check-status', node: 'n1', checkId: 'service:web1', status: 'critical', output: 'x' }),
    wakes: true,
  },
  {
    title: 'a node-level check change on a node of one of its instances',
    act: (h) => void h.node('n1', { Check: { CheckID: 'serfHealth', Status: 'critical' } }),
    wakes: true,
  },
  { title: 'a new instance', act: (h) => void h.node('n3', { Service: { ID: 'web3', Service: 'web' } }), wakes: true },
  {
    title: 'a check change of another service',
    act: (h) => void h.apply({ type: 'check-status', node: 'n2', checkId: 'service:db1', status: 'critical', output: 'x' }),
    wakes: false,
  },
  {
    title: 'a node-level check change on a node without its instances',
    act: (h) => void h.node('n2', { Check: { CheckID: 'serfHealth', Status: 'critical' } }),
    wakes: false,
  },
  { title: 'a new instance of another service', act: (h) => void h.node('n3', { Service: { ID: 'db3', Service: 'db' } }), wakes: false },
  { title: 'a KV write', act: (h) => void h.set('k', 'v'), wakes: false },
];
for (const row of serviceRows) {
  test(`a service watch ${row.wakes ? 'wakes' : 'does not wake'} on ${row.title}`, (t) => {
    const h = services();
    const health = watchCount(h.store, h.store.healthService('web').topics);
    const catalog = watchCount(h.store, h.store.serviceNodes('web').topics);
    row.act(h);
    t.is(health.fired(), row.wakes ? 1 : 0);
    if (row.title.includes('check')) return; // the catalog view has no checks; it may or may not wake
    t.is(catalog.fired(), row.wakes ? 1 : 0);
  });
}

test('a watch on an unknown service wakes when it is registered', (t) => {
  const h = services();
  const w = watchCount(h.store, h.store.healthService('later').topics);
  h.node('n3', { Service: { ID: 'l1', Service: 'later' } });
  t.is(w.fired(), 1);
});

test('a table watch on sessions wakes on create and destroy', (t) => {
  const h = new Harness();
  h.agentNode('n1');
  const w1 = watchCount(h.store, h.store.sessions().topics);
  h.session('s', 'n1');
  t.is(w1.fired(), 1);
  const w2 = watchCount(h.store, h.store.session('s').topics);
  h.apply({ type: 'session-destroy', id: 's' });
  t.is(w2.fired(), 1);
});

test('a cancelled watch does not fire and is removed', (t) => {
  const h = new Harness();
  const w = watchCount(h.store, [...h.store.kvGet('a').topics, ...h.store.kvList('').topics]);
  t.is(h.store.watcherCount, 2);
  w.cancel();
  t.is(h.store.watcherCount, 0);
  h.set('a', '1');
  t.is(w.fired(), 0);
});

test('a watch on several topics fires once when several of them change in one apply', (t) => {
  const h = new Harness();
  const w = watchCount(h.store, ['kv:a', 'kv:b', 'kvp:']);
  h.txn([
    { Verb: 'set', Key: 'a', Value: b64('1') },
    { Verb: 'set', Key: 'b', Value: b64('1') },
  ]);
  t.is(w.fired(), 1);
  t.is(h.store.watcherCount, 0);
});

test('a rejected command wakes nobody', (t) => {
  const h = new Harness();
  const w = watchCount(h.store, h.store.kvGet('k').topics);
  h.kv({ Verb: 'lock', Key: 'k', Session: 'ghost' });
  t.is(w.fired(), 0);
});

test('a watcher may register a new watch from its callback', (t) => {
  const h = new Harness();
  let second = 0;
  h.store.watch(h.store.kvGet('a').topics, () => {
    h.store.watch(h.store.kvGet('a').topics, () => second++);
  });
  h.set('a', '1');
  t.is(second, 0, 'the new watch waits for the next change');
  h.set('a', '2');
  t.is(second, 1);
});
