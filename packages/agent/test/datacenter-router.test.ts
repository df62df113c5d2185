import * as grpc from '@grpc/grpc-js';
import test from 'ava';
import { DatacenterRouter, NO_PATH_TO_DATACENTER, requestedDatacenter } from '../src/cluster/datacenter-router.js';
import type { ServerMember } from '../src/cluster/membership.js';
import { RpcError } from '../src/cluster/rpc.js';
import type { CallReply__Output } from '../src/rpc/transport.js';
import { AgentError } from '../src/errors/agent-error.js';
import { toHttpError } from '../src/errors/http-status.js';

const server = (name: string, dc: string, port: number): ServerMember => ({
  name: `${name}.${dc}`,
  id: name,
  rpcAddr: `127.0.0.1:${port}`,
  datacenter: dc,
  expect: 1,
  status: 'alive',
});

const OK: CallReply__Output = { meta: null, result: Buffer.from('true') };

function router(servers: ServerMember[], answer: (addr: string) => Promise<CallReply__Output>, rtt: Record<string, number> = {}) {
  const calls: string[] = [];
  const r = new DatacenterRouter({
    datacenter: 'dc1',
    wan: {
      datacenters: () => [...new Set(['dc1', ...servers.map((s) => s.datacenter)])],
      serversIn: (dc) => servers.filter((s) => s.datacenter === dc),
      rttTo: (dc) => rtt[dc] ?? Number.POSITIVE_INFINITY,
    },
  });
  const send = (addr: string) => {
    calls.push(addr);
    return answer(addr);
  };
  return { r, calls, send };
}

test('a request goes to the first server of the datacenter; one never reached moves it to the next', async (t) => {
  const servers = [server('a', 'dc2', 1), server('b', 'dc2', 2), server('x', 'dc3', 3)];
  const { r, calls, send } = router(servers, async (addr) => {
    if (addr.endsWith(':1')) throw new RpcError('No connection established', grpc.status.UNAVAILABLE);
    return OK;
  });
  t.deepEqual(await r.call('dc2', send, false), OK);
  t.deepEqual(calls, ['127.0.0.1:1', '127.0.0.1:2']);
});

test('a write that may have reached a server is not sent to another (it could apply twice)', async (t) => {
  const { r, calls, send } = router([server('a', 'dc2', 1), server('b', 'dc2', 2)], async () => {
    throw new RpcError('Deadline exceeded', grpc.status.DEADLINE_EXCEEDED);
  });
  await t.throwsAsync(r.call('dc2', send, false), { instanceOf: RpcError, message: 'Deadline exceeded' });
  t.deepEqual(calls, ['127.0.0.1:1']);
  // A read may be sent to the next server.
  calls.length = 0;
  await t.throwsAsync(r.call('dc2', send, true), { instanceOf: AgentError, message: NO_PATH_TO_DATACENTER });
  t.deepEqual(calls, ['127.0.0.1:1', '127.0.0.1:2']);
});

test("no server reachable, or none known, is Consul's 500 No path to datacenter", async (t) => {
  const down = router([server('a', 'dc2', 1)], async () => {
    throw new RpcError('No connection established', grpc.status.UNAVAILABLE);
  });
  const err = await t.throwsAsync(down.r.call('dc2', down.send, true), { instanceOf: AgentError, message: NO_PATH_TO_DATACENTER });
  t.is(err?.code, 'NO_PATH_TO_DATACENTER');
  t.is(toHttpError(err).status, 500);
  const unknown = router([], async () => OK);
  await t.throwsAsync(unknown.r.call('dc9', unknown.send, true), { instanceOf: AgentError, message: NO_PATH_TO_DATACENTER });
  t.deepEqual(unknown.calls, []);
});

test('known datacenters: this one first, then the others by WAN round trip (name on a tie)', (t) => {
  const servers = [server('a', 'far', 1), server('b', 'near', 2), server('c', 'also-far', 3)];
  const { r } = router(servers, async () => OK, { far: 0.2, near: 0.01, 'also-far': 0.2 });
  t.deepEqual(r.known(), ['dc1', 'near', 'also-far', 'far']);
  t.true(r.isRemote('DC2'));
  t.false(r.isRemote('DC1'));
  t.false(r.isRemote(''));
});

test('?dc= is read from the query only', (t) => {
  t.is(requestedDatacenter('/v1/kv/a?dc=DC2&stale'), 'dc2');
  t.is(requestedDatacenter('/v1/kv/dc=dc2'), '');
  t.is(requestedDatacenter('/v1/kv/a?recurse'), '');
  t.is(requestedDatacenter('/v1/kv/a?xdc=dc2'), '');
});
