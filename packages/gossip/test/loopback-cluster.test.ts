import test from 'ava';
import type { MemberEvent } from '../src/index.js';
import { allSee, converged, describeViews, startMembers, statusOf, waitFor } from './_cluster.js';

test('twenty loopback members converge, detect a killed member and see a graceful leave as left', async (t) => {
  const members = await startMembers(t, 20);
  const seed = `127.0.0.1:${members[0]!.port}`;
  for (const m of members.slice(1)) t.is(await m.join([seed]), 1);
  const joinMs = await waitFor(
    'all 20 members alive everywhere',
    () => converged(members),
    40_000,
    () => describeViews(members),
  );
  t.log(`converged in ${joinMs} ms`);
  t.deepEqual(members[5]!.members().find((m) => m.name === 'm0')?.tags, { role: 'consul', dc: 'dc1' });

  const failedEvents: MemberEvent[] = [];
  const leaveEvents: MemberEvent[] = [];
  for (const m of members) {
    m.on('failed', (e) => failedEvents.push(e));
    m.on('leave', (e) => leaveEvents.push(e));
  }

  // Kill m7: close its sockets without a word.
  const victim = members[7]!;
  await victim.shutdown();
  const survivors = members.filter((m) => m !== victim);
  const detectMs = await waitFor('m7 failed everywhere', () => allSee(survivors, 'm7', 'failed'), 30_000);
  t.log(`kill detected by all in ${detectMs} ms`);
  const falsePositives = new Set(failedEvents.filter((e) => e.member.name !== 'm7').map((e) => e.member.name));
  t.log(`live members marked failed along the way: ${falsePositives.size}`);

  // m3 leaves gracefully.
  const leaver = members[3]!;
  await leaver.leave();
  const rest = survivors.filter((m) => m !== leaver);
  await waitFor('m3 left everywhere', () => allSee(rest, 'm3', 'left'), 15_000);
  t.false(
    failedEvents.some((e) => e.member.name === 'm3'),
    'a graceful leave is never seen as a failure',
  );
  t.true(leaveEvents.filter((e) => e.member.name === 'm3').length >= rest.length);
  // Whatever happened along the way, every remaining member is alive in every view.
  await waitFor('the rest alive everywhere', () => rest.every((o) => rest.every((x) => statusOf(o, x.name) === 'alive')), 15_000);
});

test('tag changes reach every member as an update', async (t) => {
  const members = await startMembers(t, 5, () => ({}), 'tags-');
  const seed = `127.0.0.1:${members[0]!.port}`;
  for (const m of members.slice(1)) await m.join([seed]);
  await waitFor('converged', () => converged(members), 40_000);
  const sawUpdate = new Set<string>();
  for (const m of members) {
    m.on('update', (e) => {
      if (e.member.name === 'tags-2' && e.member.tags.port === '8300') sawUpdate.add(m.name);
    });
  }
  members[2]!.setTags({ role: 'consul', dc: 'dc1', port: '8300' });
  await waitFor('new tags everywhere', () => members.every((o) => o.members().find((m) => m.name === 'tags-2')?.tags.port === '8300'), 10_000);
  t.deepEqual([...sawUpdate].sort(), ['tags-0', 'tags-1', 'tags-3', 'tags-4']);
});

test('join rejects addresses that are not IP literals and reports when nobody answers', async (t) => {
  const [m] = await startMembers(t, 1, () => ({}), 'lonely-');
  await t.throwsAsync(() => m!.join(['localhost:8301']), { code: 'GOSSIP_CONFIG' } as never);
  // A closed port: bind and release one to find it.
  const [probe] = await startMembers(t, 1, () => ({}), 'gone-');
  const deadPort = probe!.port;
  await probe!.shutdown();
  await t.throwsAsync(() => m!.join([`127.0.0.1:${deadPort}`]), { code: 'GOSSIP_JOIN' } as never);
});

test('garbage datagrams are counted and dropped without disturbing the member', async (t) => {
  const { createSocket } = await import('node:dgram');
  const members = await startMembers(t, 2, () => ({}), 'junk-');
  await members[1]!.join([`127.0.0.1:${members[0]!.port}`]);
  const sock = createSocket('udp4');
  t.teardown(() => sock.close());
  for (const payload of ['not json', '{"t":"ping"}', '[{"t":"alive","node":5}]', '\u0000\u0001']) {
    await new Promise<void>((r) => sock.send(Buffer.from(payload), members[0]!.port, '127.0.0.1', () => r()));
  }
  await waitFor('four decode failures', () => members[0]!.stats.decodeFailures >= 4, 5000);
  t.is(members[0]!.stats.decodeFailures, 4);
  await waitFor('still converged', () => converged(members), 5000);
});

test('a retried join succeeds once a seed comes up', async (t) => {
  const [late] = await startMembers(t, 1, () => ({}), 'retry-');
  const [seedProbe] = await startMembers(t, 1, () => ({}), 'spare-');
  const port = seedProbe!.port;
  await seedProbe!.shutdown();
  const joining = late!.joinWithRetry([`127.0.0.1:${port}`], { attempts: 20, intervalMs: 100 });
  await new Promise((r) => setTimeout(r, 250));
  const [seed] = await startMembers(t, 1, () => ({ bindPort: port }), 'seed-');
  t.is(await joining, 1);
  await waitFor('both see each other', () => converged([late!, seed!]), 10_000);
  await t.throwsAsync(() => late!.joinWithRetry(['127.0.0.1:1'], { attempts: 2, intervalMs: 10 }), {
    code: 'GOSSIP_JOIN',
  } as never);
});
