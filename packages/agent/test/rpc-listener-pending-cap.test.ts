import { type Socket, connect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import test from 'ava';
import { MAX_PENDING_CONNECTIONS } from '../src/cluster/rpc-listener.js';
import { bindRpcServer } from '../src/cluster/rpc.js';

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

test('silent connections beyond the pending cap are closed at once; a real call still gets through once they go', async (t) => {
  const bound = await bindRpcServer('127.0.0.1', 0);
  t.teardown(() => bound.close());
  const silent: Socket[] = [];
  t.teardown(() => {
    for (const s of silent) s.destroy();
  });
  for (let i = 0; i < MAX_PENDING_CONNECTIONS; i++) silent.push(await open(bound.port));
  // One more: the listener closes it without waiting for the 10 s first-byte deadline.
  const extra = await open(bound.port);
  const closedAt = await new Promise<number>((resolve) => {
    const started = Date.now();
    extra.once('close', () => resolve(Date.now() - started));
    extra.resume();
  });
  t.true(closedAt < 5000, `closed after ${closedAt} ms`);
  // Those held are still open.
  t.false(silent.some((s) => s.destroyed));
  for (const s of silent) s.destroy();
  // With the silent ones gone, a plaintext gRPC call is served (UNIMPLEMENTED: no service is added).
  await new Promise((r) => setTimeout(r, 200));
  const client = new grpc.Client(`127.0.0.1:${bound.port}`, grpc.credentials.createInsecure());
  t.teardown(() => client.close());
  const code = await new Promise<grpc.status>((resolve) => {
    client.makeUnaryRequest(
      '/x.Y/Z',
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.alloc(0),
      { deadline: Date.now() + 5000 },
      (err) => resolve(err ? err.code : grpc.status.OK),
    );
  });
  t.is(code, grpc.status.UNIMPLEMENTED);
});
