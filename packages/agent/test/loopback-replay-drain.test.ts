import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { LoopbackReplayer } from '../src/cluster/http-forward.js';
import { HttpDrain } from '../src/http/drain.js';

/** A listener that answers `ok` at once, or holds a request whose path contains `hold`. */
async function listener(t: ExecutionContext) {
  const held: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => ((req.url ?? '').includes('hold') ? held.push(res) : res.end('ok')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const replayer = new LoopbackReplayer('127.0.0.1', (server.address() as AddressInfo).port);
  t.teardown(() => {
    replayer.close();
    server.closeAllConnections();
    server.close();
  });
  return { server, replayer, held, drain: new HttpDrain(server) };
}

const put = (path: string) => ({ method: 'PUT', path, headers: {}, body: Buffer.from('v'), hops: 0 });

test('a replay written just before the listener closes gets its answer when settle runs first', async (t) => {
  const { replayer, drain } = await listener(t);
  const signal = new AbortController().signal;
  t.is((await replayer.replay(put('/v1/kv/warm'), signal)).status, 200, 'a pooled connection exists');
  // Same tick: the request is on the pooled connection, which the listener has not read yet.
  const inFlight = replayer.replay(put('/v1/kv/x'), signal);
  await replayer.settle(3000);
  await drain.close(3000);
  const res = await inFlight;
  t.is(res.status, 200);
  t.is(res.body.toString(), 'ok');
});

test('settle does not wait for blocking queries, and gives up on a replay after its time', async (t) => {
  const { replayer, held } = await listener(t);
  const signal = new AbortController().signal;
  const blocking = replayer.replay({ ...put('/v1/kv/hold?index=5'), method: 'GET' }, signal);
  blocking.catch(() => undefined);
  while (held.length < 1) await new Promise((r) => setTimeout(r, 5));
  let t0 = Date.now();
  await replayer.settle(2000);
  t.true(Date.now() - t0 < 500, 'a blocking query is not waited for');

  const stuck = replayer.replay(put('/v1/kv/hold'), signal);
  stuck.catch(() => undefined);
  while (held.length < 2) await new Promise((r) => setTimeout(r, 5));
  t0 = Date.now();
  await replayer.settle(200);
  const waited = Date.now() - t0;
  t.true(waited >= 190 && waited < 1500, `waited ${waited} ms`);
  held[1]?.end('late');
  t.is((await stuck).body.toString(), 'late');
  await replayer.settle(2000);
});
