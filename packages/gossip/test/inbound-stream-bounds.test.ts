import { connect, type Socket } from 'node:net';
import test from 'ava';
import { type Gossip, Keyring, generateKey } from '../src/index.js';
import { converged, startMembers, waitFor } from './_cluster.js';

/** Opens a TCP connection to `g` and resolves once connected. */
function open(g: Gossip): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: g.port });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves with how long the server took to close `s` (rejects after `limitMs`). */
function closedWithin(s: Socket, limitMs: number): Promise<number> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${limitMs} ms`)), limitMs);
    s.on('error', () => undefined);
    s.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - start);
    });
  });
}

function head(length: number, firstByte: number): Buffer {
  const b = Buffer.alloc(5);
  b.writeUInt32BE(length, 0);
  b[4] = firstByte;
  return b;
}

const slow = { tcpTimeoutMs: 10_000 };

test('a stream announcing a frame larger than the member count allows is closed on its first chunk', async (t) => {
  const [g] = await startMembers(t, 1, () => ({ overrides: slow }), 'cap-');
  const s = await open(g!);
  s.write(head(16 * 1024 * 1024, 0x7b));
  await closedWithin(s, 2000);
  t.is(g!.stats.framesRefused, 1);
  // A frame that fits is read as before: a real member still joins.
  const [peer] = await startMembers(t, 1, () => ({ overrides: slow }), 'ok-');
  t.is(await peer!.join([`127.0.0.1:${g!.port}`]), 1);
});

test('with a keyring a plaintext stream is closed on its first chunk, before the body arrives', async (t) => {
  const [g] = await startMembers(t, 1, () => ({ keyring: new Keyring([generateKey()]), overrides: slow }), 'enc-');
  const s = await open(g!);
  s.write(head(40_000, 0x7b)); // '{': a plaintext JSON frame; the rest never comes
  const ms = await closedWithin(s, 2000);
  t.true(ms < 2000);
  t.is(g!.stats.framesRefused, 1);
  const s2 = await open(g!);
  s2.write(head(40_000, 0x00)); // neither sealed nor JSON
  await closedWithin(s2, 2000);
  t.is(g!.stats.framesRefused, 2);
});

test('inbound streams beyond the cap are closed at once, and slots free up when streams end', async (t) => {
  const [g] = await startMembers(t, 1, () => ({ overrides: { ...slow, maxInboundStreams: 4 } }), 'slots-');
  const held: Socket[] = [];
  for (let i = 0; i < 4; i++) {
    const s = await open(g!);
    s.on('error', () => undefined);
    held.push(s);
  }
  await waitFor('four streams accepted', () => g!.stats.streamsAccepted === 4, 2000);
  const extra = await open(g!);
  await closedWithin(extra, 2000);
  t.is(g!.stats.streamsRefused, 1);
  for (const s of held) s.destroy();
  const [peer] = await startMembers(t, 1, () => ({ overrides: slow }), 'after-');
  // Once the held streams are closed on the server side, a real member joins again.
  await new Promise((r) => setTimeout(r, 200));
  t.is(await peer!.join([`127.0.0.1:${g!.port}`]), 1);
  t.is(g!.stats.streamsRefused, 1);
});

test('encryption rolls out on a live cluster: plaintext, then keyed without verification, then verified outgoing, then verified incoming', async (t) => {
  const key = generateKey();
  // Step 0: a plaintext member. Step 1: the key installed, nothing verified (still speaks and reads plaintext).
  const [plain] = await startMembers(t, 1, () => ({}), 'step0-');
  const [keyed] = await startMembers(t, 1, () => ({ keyring: new Keyring([key]), verifyIncoming: false, verifyOutgoing: false }), 'step1-');
  await keyed!.join([`127.0.0.1:${plain!.port}`]);
  await waitFor('step 0 and step 1 converge', () => converged([plain!, keyed!]), 10_000);
  // Step 2: outgoing encrypted, plaintext still read: talks to step 1 (which holds the key).
  const [outgoing] = await startMembers(t, 1, () => ({ keyring: new Keyring([key]), verifyIncoming: false }), 'step2-');
  await outgoing!.join([`127.0.0.1:${keyed!.port}`]);
  await waitFor('steps 1 and 2 converge', () => keyed!.members().some((m) => m.name === 'step2-0' && m.status === 'alive'), 10_000);
  // Step 3: fully verified; it talks to step 2, and refuses the plaintext member.
  const [verified] = await startMembers(t, 1, () => ({ keyring: new Keyring([key]) }), 'step3-');
  await verified!.join([`127.0.0.1:${outgoing!.port}`]);
  await waitFor('steps 2 and 3 converge', () => outgoing!.members().some((m) => m.name === 'step3-0' && m.status === 'alive'), 10_000);
  const [late] = await startMembers(t, 1, () => ({}), 'plain-');
  await t.throwsAsync(() => late!.join([`127.0.0.1:${verified!.port}`]), { code: 'GOSSIP_JOIN' } as never);
  t.false(verified!.members().some((m) => m.name === 'plain-0'));
  t.true(verified!.stats.decryptFailures + verified!.stats.framesRefused > 0);
});
