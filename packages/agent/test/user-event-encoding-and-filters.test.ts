import test from 'ava';
import { eventPassesFilters } from '../src/events/event-filter.js';
import { type UserEvent, decodeUserEvent, encodeUserEvent, eventIndex, userEventProblem } from '../src/events/user-event.js';

const event = (over: Partial<UserEvent> = {}): UserEvent => ({
  ID: '2f4c6c1e-8d3a-4e5b-9a7c-0b1d2e3f4a5b',
  Name: 'deploy',
  Payload: Buffer.from('v42').toString('base64'),
  NodeFilter: '',
  ServiceFilter: '',
  TagFilter: '',
  Version: 1,
  LTime: 0,
  ...over,
});

test('an event survives the gossip payload codec, taking the Lamport time it arrived with', (t) => {
  const e = event({ NodeFilter: '^web-', ServiceFilter: 'api', TagFilter: 'v[0-9]', Name: 'déploiement/ü' });
  t.deepEqual(decodeUserEvent(encodeUserEvent(e), 17), { ...e, LTime: 17 });
  const empty = event({ Payload: null });
  t.deepEqual(decodeUserEvent(encodeUserEvent(empty), 3), { ...empty, LTime: 3 });
});

test("the codec costs about what Consul's msgpack form does: 50 bytes with the ID, plus name, payload and filters", (t) => {
  const e = event({ Name: 'deploy', Payload: Buffer.alloc(100).toString('base64'), NodeFilter: 'ab' });
  t.is(encodeUserEvent(e).length, 50 + 'deploy'.length + 100 + 'ab'.length);
});

test('payloads that are not our events decode to nothing', (t) => {
  t.is(decodeUserEvent(new Uint8Array([]), 0), undefined);
  t.is(decodeUserEvent(new Uint8Array([9, 1, 0, 0]), 0), undefined, 'unknown format');
  const good = encodeUserEvent(event());
  t.is(decodeUserEvent(good.subarray(0, good.length - 1), 0), undefined, 'truncated');
  t.is(decodeUserEvent(Buffer.concat([good, Buffer.from([0])]), 0), undefined, 'trailing bytes');
});

test("the index of an event list is Consul's XOR of the ID's two 64-bit halves", (t) => {
  t.is(eventIndex('00000000-0000-0001-0000-000000000003'), '2');
  t.is(eventIndex('ffffffff-ffff-ffff-0000-000000000000'), '18446744073709551615');
  t.is(eventIndex('not-a-uuid'), '1');
});

test("fire checks give Consul's reasons", (t) => {
  t.is(userEventProblem(event()), undefined);
  t.is(userEventProblem(event({ Name: '' })), 'User event missing name');
  t.is(userEventProblem(event({ TagFilter: 'v1' })), 'Cannot provide tag filter without service filter');
  t.is(userEventProblem(event({ NodeFilter: '[' })), 'Invalid node filter: error parsing regexp: missing closing ]: `[`');
  t.is(userEventProblem(event({ ServiceFilter: 'x', TagFilter: 'a{2,1}' })), 'Invalid tag filter: error parsing regexp: invalid repeat count: `{2,1}`');
});

const services = [
  { Service: 'web', Tags: ['v1', 'canary'] },
  { Service: 'db', Tags: ['primary'] },
];

test("filters match anywhere in the name, as Go's MatchString does, and a bad one drops the event", (t) => {
  t.true(eventPassesFilters(event(), 'node-1', []));
  t.true(eventPassesFilters(event({ NodeFilter: 'de-' }), 'node-1', []), 'unanchored');
  t.false(eventPassesFilters(event({ NodeFilter: '^de' }), 'node-1', []));
  t.false(eventPassesFilters(event({ NodeFilter: '(' }), 'node-1', []));
  t.true(eventPassesFilters(event({ ServiceFilter: 'we' }), 'n', services));
  t.false(eventPassesFilters(event({ ServiceFilter: 'cache' }), 'n', services));
  t.false(eventPassesFilters(event({ ServiceFilter: 'web' }), 'n', []), 'no services, no match');
  t.true(eventPassesFilters(event({ ServiceFilter: '.', TagFilter: '^prim' }), 'n', services), 'any matching service with a matching tag');
  t.false(eventPassesFilters(event({ ServiceFilter: 'web', TagFilter: '^prim' }), 'n', services), 'the tag must be on a matching service');
  t.false(eventPassesFilters(event({ NodeFilter: 'node', ServiceFilter: 'cache' }), 'node-1', services), 'every filter must pass');
});

test('a filter built to make a backtracking engine run for ever is matched (RE2 is linear-time)', (t) => {
  // With a backtracking engine this never returns and the test times out.
  t.false(eventPassesFilters(event({ NodeFilter: '^(a+)+$' }), `${'a'.repeat(5000)}!`, []));
});
