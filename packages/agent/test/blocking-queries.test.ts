import test from 'ava';
import Consul from 'consul';
import { type AgentProcess, type Reply, call, fileScope, sleep, startAgent } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;
let consul: Consul;

test.before(async () => {
  agent = await startAgent(scope);
  consul = new Consul({ host: '127.0.0.1', port: agent.port });
});

const indexOf = (r: Reply): number => {
  const raw = r.headers.get('x-consul-index');
  if (!raw || !/^\d+$/.test(raw)) throw new Error(`bad X-Consul-Index ${raw}`);
  return Number(raw);
};

async function put(key: string, value: string): Promise<void> {
  const r = await call(agent, 'PUT', `/v1/kv/${key}`, value);
  if (r.text !== 'true') throw new Error(`PUT ${key}: ${r.status} ${r.text}`);
}

async function register(node: string, service: string, id: string): Promise<void> {
  const r = await call(agent, 'PUT', '/v1/catalog/register', { Node: node, Address: '10.4.0.1', Service: { ID: id, Service: service } });
  if (r.status !== 200) throw new Error(`register: ${r.status} ${r.text}`);
}

/** Starts a blocking GET and reports how long it was held. */
async function timed(path: string): Promise<{ reply: Reply; ms: number }> {
  const start = Date.now();
  const reply = await call(agent, 'GET', path);
  return { reply, ms: Date.now() - start };
}

test('a blocking read of a KV key wakes as soon as the key is written', async (t) => {
  await put('bq/key', 'one');
  const first = await call(agent, 'GET', '/v1/kv/bq/key');
  const two = Buffer.from('two').toString('base64');
  // Like a real client, block again with whatever index the reply carries until the new value shows.
  const watch = (async () => {
    const start = Date.now();
    let index = indexOf(first);
    for (;;) {
      const reply = await call(agent, 'GET', `/v1/kv/bq/key?index=${index}&wait=10s`);
      t.true(indexOf(reply) > index, 'a wake-up moves the index forward');
      if (reply.json<{ Value: string }[]>()[0]?.Value === two) return Date.now() - start;
      index = indexOf(reply);
    }
  })();
  await sleep(300);
  await put('bq/key', 'two');
  const ms = await watch;
  t.true(ms < 3000, `held ${ms} ms`);
});

test('a blocking recursive KV read wakes on a write under the prefix and on a delete', async (t) => {
  await put('bqp/a', '1');
  await put('bqp/b', '2');
  const index = indexOf(await call(agent, 'GET', '/v1/kv/bqp/?recurse'));
  const onWrite = timed(`/v1/kv/bqp/?recurse&index=${index}&wait=10s`);
  await sleep(300);
  await put('bqp/c', '3');
  const woke = await onWrite;
  t.true(woke.ms < 3000, `held ${woke.ms} ms`);
  const afterWrite = indexOf(woke.reply);
  t.true(afterWrite > index);
  t.is(woke.reply.json<unknown[]>().length, 3);

  const onDelete = timed(`/v1/kv/bqp/?recurse&index=${afterWrite}&wait=10s`);
  await sleep(300);
  t.is((await call(agent, 'DELETE', '/v1/kv/bqp/a')).text, 'true');
  const deleted = await onDelete;
  t.true(deleted.ms < 3000, `held ${deleted.ms} ms`);
  t.true(indexOf(deleted.reply) > afterWrite);
  t.deepEqual(
    deleted.reply.json<{ Key: string }[]>().map((e) => e.Key),
    ['bqp/b', 'bqp/c'],
  );

  const keysIndex = indexOf(await call(agent, 'GET', '/v1/kv/bqp/?keys'));
  const onKeys = timed(`/v1/kv/bqp/?keys&index=${keysIndex}&wait=10s`);
  await sleep(300);
  t.is((await call(agent, 'DELETE', '/v1/kv/bqp/?recurse')).text, 'true');
  const gone = await onKeys;
  t.true(gone.ms < 3000, `held ${gone.ms} ms`);
  t.is(gone.reply.status, 404);
  t.true(indexOf(gone.reply) > keysIndex);
});

test('the index of a recursive list does not go backwards after deleting the highest-index key', async (t) => {
  await put('bqi/a', '1');
  await put('bqi/b', '2');
  const before = indexOf(await call(agent, 'GET', '/v1/kv/bqi/?recurse'));
  t.is((await call(agent, 'DELETE', '/v1/kv/bqi/b')).text, 'true');
  const after = await call(agent, 'GET', '/v1/kv/bqi/?recurse');
  t.is(after.json<unknown[]>().length, 1);
  t.true(indexOf(after) > before, `${indexOf(after)} after ${before}`);
  const keys = await call(agent, 'GET', '/v1/kv/bqi/?keys');
  t.true(indexOf(keys) >= indexOf(after));
});

test('a blocking health service read wakes when an instance registers', async (t) => {
  await register('bq-node-1', 'bqsvc', 'bqsvc-1');
  const index = indexOf(await call(agent, 'GET', '/v1/health/service/bqsvc'));
  const pending = timed(`/v1/health/service/bqsvc?index=${index}&wait=10s`);
  await sleep(300);
  await register('bq-node-2', 'bqsvc', 'bqsvc-2');
  const { reply, ms } = await pending;
  t.true(ms < 3000, `held ${ms} ms`);
  t.true(indexOf(reply) > index);
  t.is(reply.json<unknown[]>().length, 2);
});

// Serial: /v1/catalog/services has a table-level index, so concurrent registrations would wake it too.
test.serial('a blocking catalog services read wakes when a new service registers', async (t) => {
  const index = indexOf(await call(agent, 'GET', '/v1/catalog/services'));
  const pending = timed(`/v1/catalog/services?index=${index}&wait=10s`);
  await sleep(300);
  await register('bq-node-3', 'bq-brand-new', 'bq-brand-new');
  const { reply, ms } = await pending;
  t.true(ms < 3000, `held ${ms} ms`);
  t.true(indexOf(reply) > index);
  t.true('bq-brand-new' in reply.json<Record<string, string[]>>());
});

test('a blocking read with no change times out at wait (within wait/16 jitter) with the same index and data', async (t) => {
  await put('bqt/key', 'still');
  const first = await call(agent, 'GET', '/v1/kv/bqt/?recurse');
  const index = indexOf(first);
  const { reply, ms } = await timed(`/v1/kv/bqt/?recurse&index=${index}&wait=2s`);
  t.is(reply.status, 200);
  t.true(ms >= 1990, `returned early after ${ms} ms`);
  t.true(ms <= 2000 + 2000 / 16 + 500, `held ${ms} ms`);
  t.is(indexOf(reply), index);
  t.is(reply.text, first.text);
});

// Serial: a single-key read reports the KV table's index, so a write by a concurrent test between
// the first read and the blocking one would (correctly) answer at once.
test.serial('writes to other keys do not wake a blocking read of one KV key', async (t) => {
  await put('bqu/watched', 'w');
  const index = indexOf(await call(agent, 'GET', '/v1/kv/bqu/watched'));
  const pending = timed(`/v1/kv/bqu/watched?index=${index}&wait=1500ms`);
  for (let i = 0; i < 5; i++) {
    await sleep(150);
    await put(`bqu/other-${i}`, String(i));
    await put(`bqu/watchedx`, String(i));
  }
  const { reply, ms } = await pending;
  t.true(ms >= 1490, `woke after ${ms} ms on an unrelated write`);
  t.is(reply.json<{ Value: string }[]>()[0]?.Value, Buffer.from('w').toString('base64'));
});

test('wait=60000ms (as the Go client sends it) is accepted and still wakes on a change', async (t) => {
  await put('bq60/key', 'a');
  const index = indexOf(await call(agent, 'GET', '/v1/kv/bq60/?recurse'));
  const immediate = await timed('/v1/kv/bq60/?recurse&wait=60000ms');
  t.is(immediate.reply.status, 200);
  t.true(immediate.ms < 1000, 'no index: answers at once');
  const pending = timed(`/v1/kv/bq60/?recurse&index=${index}&wait=60000ms`);
  await sleep(300);
  await put('bq60/key', 'b');
  const { reply, ms } = await pending;
  t.is(reply.status, 200);
  t.true(ms < 3000, `held ${ms} ms`);
  t.is(reply.json<{ Value: string }[]>()[0]?.Value, Buffer.from('b').toString('base64'));
});

test('a malformed wait or index is a 400 with a plain-text reason', async (t) => {
  await put('bqbad/key', 'v');
  const wait = await call(agent, 'GET', '/v1/kv/bqbad/key?index=1&wait=abc');
  t.is(wait.status, 400);
  t.is(wait.text, 'Invalid wait time');
  const index = await call(agent, 'GET', '/v1/kv/bqbad/key?index=abc');
  t.is(index.status, 400);
  t.is(index.text, 'Invalid index');
  const negative = await call(agent, 'GET', '/v1/catalog/services?index=-1');
  t.is(negative.status, 400);
  const health = await call(agent, 'GET', '/v1/health/service/x?index=5&wait=10parsecs');
  t.is(health.status, 400);
  t.is(health.text, 'Invalid wait time');
});

test('blocking queries abandoned by their clients leave the agent serving without errors', async (t) => {
  await put('bqa/key', 'v');
  const index = indexOf(await call(agent, 'GET', '/v1/kv/bqa/?recurse'));
  const aborted = await Promise.all(
    Array.from({ length: 20 }, async () => {
      const controller = new AbortController();
      const pending = fetch(`${agent.base}/v1/kv/bqa/?recurse&index=${index}&wait=30s`, { signal: controller.signal });
      setTimeout(() => controller.abort(), 200);
      return pending.then(
        () => false,
        (err: Error) => err.name === 'AbortError',
      );
    }),
  );
  t.true(aborted.every(Boolean));
  await put('bqa/key', 'after');
  const r = await call(agent, 'GET', '/v1/kv/bqa/key?raw');
  t.is(r.text, 'after');
  t.is(agent.child.exitCode, null, 'the agent is still running');
  t.notRegex(agent.output(), /ERROR|Unhandled|ERR_STREAM/);
});

test('the consul client watch sees a KV change', async (t) => {
  await put('bqw/key', 'first');
  const watch = consul.watch({ method: consul.kv.get, options: { key: 'bqw/key', wait: '2s' } as never });
  try {
    const values: string[] = [];
    const seen = new Promise<void>((resolve, reject) => {
      watch.on('change', (data: { Value?: string } | undefined) => {
        if (data?.Value) values.push(data.Value);
        if (data?.Value === 'second') resolve();
      });
      watch.on('error', reject);
    });
    await sleep(500);
    await put('bqw/key', 'second');
    await Promise.race([seen, sleep(5000).then(() => Promise.reject(new Error(`no change seen; got ${values.join(',')}`)))]);
    t.deepEqual(values, ['first', 'second'], 'writes to other keys do not repeat a value');
  } finally {
    watch.end();
  }
});
