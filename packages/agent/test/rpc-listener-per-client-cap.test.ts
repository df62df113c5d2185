import { type Socket, connect } from 'node:net';
import test from 'ava';
import { bindRpcServer } from '../src/cluster/rpc.js';
import { inputBounds } from '../src/config/limits-config.js';
import { ConfigError } from '../src/config/config-error.js';

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

function closedWithin(s: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    s.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    s.resume();
  });
}

test("limits.rpc_max_conns_per_client: Consul's default of 100, configurable, 0 for none, bad values refused", (t) => {
  t.is(inputBounds({}).rpcMaxConnsPerClient, 100);
  t.is(inputBounds({ rpc_max_conns_per_client: 7 }).rpcMaxConnsPerClient, 7);
  t.is(inputBounds({ rpc_max_conns_per_client: 0 }).rpcMaxConnsPerClient, 0);
  t.throws(() => inputBounds({ rpc_max_conns_per_client: -1 }), { instanceOf: ConfigError, message: /rpc_max_conns_per_client/ });
});

test('a client address holding the most RPC connections has the next one closed at once; a slot frees when one closes', async (t) => {
  const refused: string[] = [];
  const bound = await bindRpcServer('127.0.0.1', 0, undefined, { onTooManyConnections: (ip) => refused.push(ip) }, undefined, 3);
  t.teardown(() => bound.close());
  const held = [await open(bound.port), await open(bound.port), await open(bound.port)];
  t.teardown(() => {
    for (const s of held) s.destroy();
  });
  const extra = await open(bound.port);
  t.true(await closedWithin(extra, 3000), 'the fourth connection is closed');
  t.true(refused.length >= 1 && refused.every((ip) => ip.endsWith('127.0.0.1')));
  t.false(
    held.some((s) => s.destroyed),
    'the three held stay open',
  );
  (held.pop() as Socket).destroy();
  await new Promise((r) => setTimeout(r, 200));
  const again = await open(bound.port);
  t.teardown(() => again.destroy());
  t.false(await closedWithin(again, 500), 'a freed slot takes a new connection');
});
