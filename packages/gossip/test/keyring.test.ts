import test from 'ava';
import { Keyring, generateKey } from '../src/index.js';

test('generated keys are 32 random bytes in base64', (t) => {
  const a = generateKey();
  const b = generateKey();
  t.is(Buffer.from(a, 'base64').length, 32);
  t.not(a, b);
});

test('a message encrypted with the primary key decrypts with any keyring holding that key', (t) => {
  const k1 = generateKey();
  const k2 = generateKey();
  const sender = new Keyring([k1]);
  const receiver = new Keyring([k2]);
  receiver.install(k1);
  const sealed = sender.encrypt(Buffer.from('hello'));
  t.is(receiver.decrypt(sealed).toString(), 'hello');
  t.not(sealed.subarray(13).toString(), 'hello');
});

test('decryption with no matching key fails with GOSSIP_DECRYPT', (t) => {
  const sealed = new Keyring([generateKey()]).encrypt(Buffer.from('x'));
  t.throws(() => new Keyring([generateKey()]).decrypt(sealed), { code: 'GOSSIP_DECRYPT' } as never);
  t.throws(() => new Keyring([generateKey()]).decrypt(Buffer.from('short')), { code: 'GOSSIP_DECRYPT' } as never);
});

test('a tampered message is rejected', (t) => {
  const ring = new Keyring([generateKey()]);
  const sealed = ring.encrypt(Buffer.from('payload'));
  sealed[sealed.length - 20] = (sealed[sealed.length - 20] ?? 0) ^ 1;
  t.throws(() => ring.decrypt(sealed), { code: 'GOSSIP_DECRYPT' } as never);
});

test('use switches the primary key and the primary key cannot be removed', (t) => {
  const k1 = generateKey();
  const k2 = generateKey();
  const ring = new Keyring([k1]);
  ring.install(k2);
  t.deepEqual(ring.list(), [k1, k2]);
  t.throws(() => ring.remove(k1), { code: 'GOSSIP_KEYRING' } as never);
  ring.use(k2);
  t.is(ring.primary, k2);
  ring.remove(k1);
  t.deepEqual(ring.list(), [k2]);
  t.throws(() => ring.use(k1), { code: 'GOSSIP_KEYRING' } as never);
});

test('keys of the wrong length or encoding are refused', (t) => {
  t.throws(() => new Keyring(['not base64!']), { code: 'GOSSIP_KEYRING' } as never);
  t.throws(() => new Keyring([Buffer.alloc(20).toString('base64')]), { code: 'GOSSIP_KEYRING' } as never);
  t.throws(() => new Keyring([]), { code: 'GOSSIP_KEYRING' } as never);
  t.notThrows(() => new Keyring([Buffer.alloc(16, 1).toString('base64')]));
});
