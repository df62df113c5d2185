import test from 'ava';
import { Keyring, generateKey } from '../src/index.js';
import { allSee, converged, startMembers, waitFor } from './_cluster.js';

test('twenty members with encryption converge and detect a kill, and a member with the wrong key is rejected', async (t) => {
  const key = generateKey();
  const members = await startMembers(t, 20, () => ({ keyring: new Keyring([key]) }), 'enc-');
  const seed = `127.0.0.1:${members[0]!.port}`;
  for (const m of members.slice(1)) await m.join([seed]);
  await waitFor('all 20 alive everywhere', () => converged(members), 40_000);

  const [intruder] = await startMembers(t, 1, () => ({ keyring: new Keyring([generateKey()]) }), 'intruder-');
  await t.throwsAsync(() => intruder!.join([seed]), { code: 'GOSSIP_JOIN' } as never);
  t.true(members.every((m) => !m.members().some((x) => x.name.startsWith('intruder'))));
  t.is(intruder!.members().length, 1);

  const [plain] = await startMembers(t, 1, () => ({}), 'plain-');
  await t.throwsAsync(() => plain!.join([seed]), { code: 'GOSSIP_JOIN' } as never);
  // The wrong key fails to decrypt; the plaintext stream is refused on its first chunk.
  await waitFor('failures counted', () => members[0]!.stats.decryptFailures >= 1 && members[0]!.stats.framesRefused >= 1, 5000);

  const victim = members[11]!;
  await victim.shutdown();
  const rest = members.filter((m) => m !== victim);
  await waitFor('enc-11 failed everywhere', () => allSee(rest, 'enc-11', 'failed'), 30_000);
  await waitFor('the other 19 alive everywhere', () => rest.every((o) => o.members().filter((m) => m.status === 'alive').length === 19), 15_000);
  t.true(members.every((m) => !m.members().some((x) => x.name.startsWith('intruder') || x.name.startsWith('plain'))));
});

test('keys rotate without downtime: install, use, then remove the old key', async (t) => {
  const oldKey = generateKey();
  const newKey = generateKey();
  const members = await startMembers(t, 4, () => ({ keyring: new Keyring([oldKey]) }), 'rot-');
  for (const m of members.slice(1)) await m.join([`127.0.0.1:${members[0]!.port}`]);
  await waitFor('converged', () => converged(members), 40_000);
  const settle = () => new Promise((r) => setTimeout(r, 500));
  for (const m of members) m.keyring!.install(newKey);
  await settle();
  for (const m of members) m.keyring!.use(newKey);
  // Let packets sealed with the old key drain before it goes away.
  await settle();
  const failuresBefore = members.map((m) => m.stats.decryptFailures);
  for (const m of members) m.keyring!.remove(oldKey);
  const before = members.map((m) => m.stats.packetsReceived);
  await waitFor('traffic under the new key', () => members.every((m, i) => m.stats.packetsReceived > (before[i] ?? 0) + 5), 10_000);
  t.true(converged(members));
  t.deepEqual(
    members.map((m) => m.stats.decryptFailures),
    failuresBefore,
    'nothing failed to decrypt after the old key was removed',
  );
  t.true(
    failuresBefore.every((n) => n === 0),
    'nor while both keys were installed',
  );
  t.deepEqual(members[0]!.keyring!.list(), [newKey]);
});
