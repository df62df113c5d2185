import test from 'ava';
import { Harness, b64 } from './_helpers.js';

function withSessions(): Harness {
  const h = new Harness();
  h.agentNode('n1');
  h.session('a', 'n1');
  h.session('b', 'n1');
  return h;
}

test('acquiring a missing key creates it with LockIndex 1 and the session set', (t) => {
  const h = withSessions();
  const r = h.kv({ Verb: 'lock', Key: 'k', Value: b64('v'), Session: 'a' });
  t.is(r.value, true);
  t.deepEqual(h.get('k'), {
    LockIndex: 1,
    Key: 'k',
    Flags: 0,
    Value: b64('v'),
    Session: 'a',
    CreateIndex: h.index,
    ModifyIndex: h.index,
  });
});

test('acquiring an existing unlocked key increments its LockIndex', (t) => {
  const h = withSessions();
  h.set('k', 'v');
  h.kv({ Verb: 'lock', Key: 'k', Session: 'a' });
  h.kv({ Verb: 'unlock', Key: 'k', Session: 'a' });
  t.is(h.kv({ Verb: 'lock', Key: 'k', Session: 'b' }).value, true);
  t.like(h.get('k'), { LockIndex: 2, Session: 'b' });
});

test('re-acquiring by the holder updates the contents and keeps LockIndex', (t) => {
  const h = withSessions();
  h.kv({ Verb: 'lock', Key: 'k', Value: b64('1'), Session: 'a' });
  t.is(h.kv({ Verb: 'lock', Key: 'k', Value: b64('2'), Flags: 9, Session: 'a' }).value, true);
  t.like(h.get('k'), { LockIndex: 1, Session: 'a', Value: b64('2'), Flags: 9, ModifyIndex: h.index });
});

test('acquiring a key held by another session fails and changes nothing', (t) => {
  const h = withSessions();
  h.kv({ Verb: 'lock', Key: 'k', Value: b64('1'), Session: 'a' });
  const before = h.get('k');
  const r = h.kv({ Verb: 'lock', Key: 'k', Value: b64('2'), Session: 'b' });
  t.is(r.value, false);
  t.is(r.error, undefined);
  t.deepEqual(h.get('k'), before);
});

const invalidSessions: { title: string; session: string | undefined }[] = [
  { title: 'an unknown session', session: 'nope' },
  { title: 'an empty session', session: '' },
  { title: 'no session at all', session: undefined },
];
for (const row of invalidSessions) {
  test(`acquiring with ${row.title} is an STATE_INVALID_SESSION error that writes nothing`, (t) => {
    const h = withSessions();
    const r = h.kv({ Verb: 'lock', Key: 'k', Value: b64('v'), ...(row.session === undefined ? {} : { Session: row.session }) });
    t.is(r.value, false);
    t.is(r.error?.code, 'STATE_INVALID_SESSION');
    t.is(r.error?.message, `invalid session "${row.session ?? ''}"`);
    t.is(h.get('k'), undefined);
  });
}

test('releasing by the holder clears Session and keeps LockIndex', (t) => {
  const h = withSessions();
  h.kv({ Verb: 'lock', Key: 'k', Value: b64('v'), Session: 'a' });
  const r = h.kv({ Verb: 'unlock', Key: 'k', Value: b64('v'), Session: 'a' });
  t.is(r.value, true);
  const e = h.get('k');
  t.like(e, { LockIndex: 1, ModifyIndex: h.index, Value: b64('v') });
  t.false('Session' in (e ?? {}));
});

const badReleases: { title: string; setup: (h: Harness) => void; session: string }[] = [
  { title: 'a missing key', setup: () => {}, session: 'a' },
  { title: 'an unlocked key', setup: (h) => h.set('k', 'v'), session: 'a' },
  {
    title: 'a key held by another session',
    setup: (h) => void h.kv({ Verb: 'lock', Key: 'k', Value: b64('v'), Session: 'b' }),
    session: 'a',
  },
];
for (const row of badReleases) {
  test(`releasing ${row.title} fails and changes nothing`, (t) => {
    const h = withSessions();
    row.setup(h);
    const before = h.get('k');
    const r = h.kv({ Verb: 'unlock', Key: 'k', Value: b64('x'), Session: row.session });
    t.is(r.value, false);
    t.deepEqual(h.get('k'), before);
  });
}

test('after a release another session can acquire, and LockIndex goes up by one', (t) => {
  const h = withSessions();
  h.kv({ Verb: 'lock', Key: 'k', Session: 'a' });
  t.is(h.kv({ Verb: 'lock', Key: 'k', Session: 'b' }).value, false);
  h.kv({ Verb: 'unlock', Key: 'k', Session: 'a' });
  t.is(h.kv({ Verb: 'lock', Key: 'k', Session: 'b' }).value, true);
  t.like(h.get('k'), { LockIndex: 2, Session: 'b' });
});

test('release applies no lock-delay', (t) => {
  const h = withSessions();
  h.kv({ Verb: 'lock', Key: 'k', Session: 'a' });
  h.kv({ Verb: 'unlock', Key: 'k', Session: 'a' });
  t.is(h.store.lockDelayUntil('k'), undefined);
  t.is(h.kv({ Verb: 'lock', Key: 'k', Session: 'b' }, h.time).value, true);
});
