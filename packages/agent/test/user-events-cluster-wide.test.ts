import test from 'ava';
import { type Member, http, startMember } from './_cluster-inprocess.js';
import { waitFor } from './_local-helpers.js';
import type { UserEvent } from '../src/events/user-event.js';

type Listed = UserEvent;

/**
 * One server and three client agents: `web` runs service web (tags v1, canary), `db` runs
 * service db (tag primary), `bare` runs nothing. Every test fires on a client.
 */
let agents: { server: Member; web: Member; db: Member; bare: Member; all: Member[] };

async function listOn(m: Member, query = ''): Promise<{ events: Listed[]; index: string }> {
  const r = await http(m.base, `/v1/event/list${query}`);
  return { events: JSON.parse(r.text) as Listed[], index: r.headers.get('x-consul-index') ?? '' };
}

async function fire(from: Member, name: string, query = '', body?: string): Promise<Listed> {
  const r = await http(from.base, `/v1/event/fire/${name}${query}`, { method: 'PUT', ...(body === undefined ? {} : { body }) });
  if (r.status !== 200) throw new Error(`fire ${name}: ${r.status} ${r.text}`);
  return JSON.parse(r.text) as Listed;
}

/** Fires an unfiltered marker and waits until every agent lists it: earlier events have had their chance. */
async function settle(from: Member): Promise<void> {
  const marker = await fire(from, 'marker');
  const all = await waitFor(
    async () => {
      const lists = await Promise.all(agents.all.map((m) => listOn(m, '?name=marker')));
      return lists.every((l) => l.events.some((e) => e.ID === marker.ID));
    },
    15_000,
    50,
  );
  if (!all) throw new Error('the marker did not reach every agent');
}

const idsOn = async (m: Member, name: string) => (await listOn(m, `?name=${name}`)).events.map((e) => e.ID);

/** The agents live for the whole file: their teardowns run after the last test. */
const cleanups: (() => unknown)[] = [];
const fileContext = { teardown: (fn: () => unknown) => cleanups.push(fn) } as unknown as Parameters<typeof startMember>[0];
test.after.always(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

test.before(async () => {
  const ctx = fileContext;
  const server = await startMember(ctx, { server: true, expect: 1 });
  const [web, db, bare] = await Promise.all([1, 2, 3].map(() => startMember(ctx, { join: server })));
  if (!web || !db || !bare) throw new Error('clients did not start');
  agents = { server, web, db, bare, all: [server, web, db, bare] };
  const register = (m: Member, body: object) => http(m.base, '/v1/agent/service/register', { method: 'PUT', body: JSON.stringify(body) });
  await register(web, { ID: 'web1', Name: 'web', Tags: ['v1', 'canary'], Port: 80 });
  await register(db, { ID: 'db1', Name: 'db', Tags: ['primary'], Port: 5432 });
  const joined = await waitFor(
    async () => {
      const lists = await Promise.all(agents.all.map(async (m) => JSON.parse((await http(m.base, '/v1/agent/members')).text) as unknown[]));
      return lists.every((l) => l.length === 4);
    },
    20_000,
    100,
  );
  if (!joined) throw new Error('the four agents did not see each other');
});

test.serial('an event fired on a client reaches every agent once, with its payload and a Lamport time', async (t) => {
  const fired = await fire(agents.bare, 'deploy', '', 'v42');
  t.like(fired, { Name: 'deploy', Payload: Buffer.from('v42').toString('base64'), Version: 1, LTime: 0 });
  t.regex(fired.ID, /^[0-9a-f-]{36}$/);
  const everywhere = await waitFor(
    async () => {
      const lists = await Promise.all(agents.all.map((m) => listOn(m, '?name=deploy')));
      return lists.every((l) => l.events.some((e) => e.ID === fired.ID)) ? lists : undefined;
    },
    15_000,
    50,
  );
  t.truthy(everywhere, 'every agent lists the event');
  await settle(agents.web);
  for (const m of agents.all) {
    const { events } = await listOn(m, '?name=deploy');
    const mine = events.filter((e) => e.ID === fired.ID);
    t.is(mine.length, 1, `${m.name} lists it exactly once, though every agent re-broadcast it`);
    t.like(mine[0], { Name: 'deploy', Payload: fired.Payload, NodeFilter: '', ServiceFilter: '', TagFilter: '', Version: 1 });
  }
  const ltimes = new Set(await Promise.all(agents.all.map(async (m) => (await listOn(m, '?name=deploy')).events.find((e) => e.ID === fired.ID)?.LTime)));
  t.is(ltimes.size, 1, 'every agent records the same Lamport time');
  const [ltime] = [...ltimes] as number[];
  for (const m of agents.all) {
    const serf = JSON.parse((await http(m.base, '/v1/agent/self')).text).Stats.serf_lan as Record<string, string>;
    t.true(Number(serf.event_time) > (ltime ?? Number.POSITIVE_INFINITY), `${m.name}'s event clock moved past the event (serf_lan.event_time ${serf.event_time})`);
    t.regex(serf.event_queue ?? '', /^\d+$/);
  }
});

test.serial('receivers apply the node filter', async (t) => {
  const fired = await fire(agents.bare, 'by-node', `?node=${encodeURIComponent(`^${agents.db.name}$`)}`);
  await settle(agents.bare);
  for (const m of agents.all) {
    t.deepEqual(await idsOn(m, 'by-node'), m === agents.db ? [fired.ID] : [], `as seen on ${m.name}`);
  }
});

test.serial("receivers apply the service filter, and the tag filter on that service's tags", async (t) => {
  const byService = await fire(agents.db, 'by-service', '?service=^we');
  const byTag = await fire(agents.db, 'by-tag', '?service=web|db&tag=^prim');
  const _noTag = await fire(agents.db, 'by-missing-tag', '?service=web&tag=v2');
  await settle(agents.db);
  for (const m of agents.all) {
    t.deepEqual(await idsOn(m, 'by-service'), m === agents.web ? [byService.ID] : [], `service filter on ${m.name}`);
    t.deepEqual(await idsOn(m, 'by-tag'), m === agents.db ? [byTag.ID] : [], `tag filter on ${m.name}`);
    t.deepEqual(await idsOn(m, 'by-missing-tag'), [], `no service has that tag, on ${m.name}`);
  }
});

test.serial('a blocking list is held while its index is current and wakes when an event arrives', async (t) => {
  const before = await listOn(agents.server);
  t.regex(before.index, /^\d+$/);
  const heldStart = Date.now();
  const held = await http(agents.server.base, `/v1/event/list?index=${before.index}&wait=1s`);
  t.true(Date.now() - heldStart >= 900, 'nothing new: held for the wait');
  t.is(held.headers.get('x-consul-index'), before.index);

  const start = Date.now();
  const blocked = http(agents.server.base, `/v1/event/list?index=${before.index}&wait=30s`);
  await new Promise((r) => setTimeout(r, 300));
  const fired = await fire(agents.web, 'wake-up', '', 'now');
  const woke = await blocked;
  const took = Date.now() - start;
  const events = JSON.parse(woke.text) as Listed[];
  t.is(events[events.length - 1]?.ID, fired.ID, 'the answer ends with the new event');
  t.not(woke.headers.get('x-consul-index'), before.index);
  t.true(took < 10_000, `woke after ${took} ms, not at the 30 s wait`);

  const filtered = await listOn(agents.server, '?name=no-such-event');
  t.deepEqual(filtered, { events: [], index: '1' }, 'an empty list answers index 1, never 0');
  t.is((await http(agents.server.base, '/v1/event/list?index=abc')).status, 400);
});

test.serial("bad events are refused with Consul's words and reach nobody", async (t) => {
  const cases: [string, string][] = [
    ['/v1/event/fire/x?node=(', 'Invalid node filter: error parsing regexp: missing closing ): `(`'],
    ['/v1/event/fire/x?service=a**', 'Invalid service filter: error parsing regexp: invalid nested repetition operator: `**`'],
    ['/v1/event/fire/x?tag=v1', 'Cannot provide tag filter without service filter'],
    ['/v1/event/fire/', 'Missing name'],
  ];
  for (const [path, text] of cases) {
    const r = await http(agents.web.base, path, { method: 'PUT' });
    t.is(r.status, 400, path);
    t.is(r.text, text);
  }
  const big = await http(agents.web.base, '/v1/event/fire/x', { method: 'PUT', body: 'a'.repeat(512) });
  t.is(big.status, 400);
  t.is(big.text, 'user event exceeds configured limit of 512 bytes before encoding');
  const fits = await http(agents.web.base, '/v1/event/fire/x', { method: 'PUT', body: 'a'.repeat(400) });
  t.is(fits.status, 200, 'a 400-byte payload fits, as it does in Consul');
  await settle(agents.web);
  t.is((await idsOn(agents.bare, 'x')).length, 1, 'only the event that fit was delivered');
});

test.serial('an agent that joins later does not replay events fired before it joined', async (t) => {
  const old = await fire(agents.web, 'before-late-join');
  await settle(agents.web);
  const late = await startMember(t, { join: agents.server });
  const after = await fire(agents.web, 'after-late-join');
  const got = await waitFor(async () => (await idsOn(late, 'after-late-join')).includes(after.ID), 15_000, 50);
  t.true(got, 'events after the join arrive');
  t.deepEqual(await idsOn(late, 'before-late-join'), [], `${old.ID} was fired before the join`);
});
