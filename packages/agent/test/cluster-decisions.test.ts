import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from '@concord/gossip';
import test from 'ava';
import { decideBootstrap } from '../src/cluster/bootstrapper.js';
import { ServerPicker } from '../src/cluster/client-cluster.js';
import { countKeys } from '../src/cluster/cluster.js';
import { KeyringStore } from '../src/cluster/keyring-store.js';
import type { ServerMember } from '../src/cluster/membership.js';
import type { ServerStatus__Output } from '../src/cluster/rpc.js';

const server = (id: string, expect = 3, status: ServerMember['status'] = 'alive'): ServerMember => ({
  name: `n-${id}`,
  id,
  rpcAddr: `127.0.0.1:${id.charCodeAt(0)}`,
  datacenter: 'dc1',
  expect,
  status,
});
const fresh = { initialized: false, voters: [] } as unknown as ServerStatus__Output;
const joined = (voters: string[]) => ({ initialized: true, voters }) as unknown as ServerStatus__Output;

test('bootstrap waits until the expected number of servers is seen and all answered', (t) => {
  t.like(decideBootstrap('a', 3, [server('a'), server('b')], [fresh, fresh]), { kind: 'wait' });
  t.like(decideBootstrap('a', 3, [server('a'), server('b'), server('c')], [fresh, fresh, undefined]), { kind: 'wait' });
  t.deepEqual(decideBootstrap('b', 3, [server('c'), server('a'), server('b')], [fresh, fresh, fresh]), {
    kind: 'bootstrap',
    voters: ['a', 'b', 'c'],
  });
});

test('bootstrap refuses a server that expects a different count', (t) => {
  const d = decideBootstrap('a', 3, [server('a'), server('b', 5), server('c')], [fresh, fresh, fresh]);
  t.is(d.kind, 'wait');
  t.regex((d as { reason: string }).reason, /expects 5/);
});

test('a server that finds an existing cluster adopts its voters or waits to be added', (t) => {
  t.deepEqual(decideBootstrap('b', 3, [server('a'), server('b')], [joined(['c', 'a', 'b']), fresh]), {
    kind: 'bootstrap',
    voters: ['a', 'b', 'c'],
  });
  t.deepEqual(decideBootstrap('d', 3, [server('a'), server('d')], [joined(['a', 'b', 'c']), fresh]), { kind: 'follow' });
});

test('the server picker keeps its choice and moves away from a failed server', (t) => {
  const list = [server('a'), server('b'), server('c', 3, 'failed')];
  const picker = new ServerPicker(() => list);
  const first = picker.pick();
  t.true(first === list[0]?.rpcAddr || first === list[1]?.rpcAddr);
  t.is(picker.pick(), first);
  picker.failed(first as string);
  const second = picker.pick();
  t.not(second, first);
  t.not(second, list[2]?.rpcAddr);
  t.is(new ServerPicker(() => []).pick(), undefined);
});

test('keyring counts add up every reply', (t) => {
  t.deepEqual(
    countKeys([
      { keys: ['k1', 'k2'], primary: 'k1' },
      { keys: ['k1'], primary: 'k1' },
    ]),
    { Keys: { k1: 2, k2: 1 }, PrimaryKeys: { k1: 2 }, NumNodes: 2 },
  );
});

test('the keyring store persists changes, prefers its file over -encrypt, and follows a remote keyring', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'concord-keyring-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const [k1, k2, k3] = [generateKey(), generateKey(), generateKey()];
  const store = new KeyringStore(k1, dir);
  store.apply('install', k2);
  store.apply('use', k2);
  t.deepEqual(JSON.parse(readFileSync(join(dir, 'serf', 'local.keyring'), 'utf8')), [k2, k1]);
  const reopened = new KeyringStore(k3, dir);
  t.is(reopened.view().primary, k2);
  t.deepEqual(reopened.view().keys.sort(), [k1, k2].sort());
  const err = t.throws(() => reopened.apply('remove', k2));
  t.regex(err?.message ?? '', /^keyring: /);
  reopened.follow({ keys: [k3], primary: k3 });
  t.deepEqual(reopened.view(), { keys: [k3], primary: k3 });
  t.throws(() => new KeyringStore(undefined, undefined).apply('list', ''), { message: 'keyring: gossip encryption is not enabled' });
});
