import test from 'ava';
import { startAgent } from '@concord/testkit';

test('KV flags are kept as exact uint64 values, as Consul lock and semaphore flags need', async (t) => {
  const agent = await startAgent(t);
  const lockFlags = 0x2ddccbc058a50c18n.toString(); // 3304740253564472344, above 2^53
  const put = await fetch(`${agent.base}/v1/kv/svc/.lock?flags=${lockFlags}`, { method: 'PUT', body: 'x' });
  t.is(await put.text(), 'true');
  const slow = await (await fetch(`${agent.base}/v1/kv/svc/.lock?consistent`)).text();
  t.true(slow.includes(`"Flags":${lockFlags},`), slow);
  const fast = await (await fetch(`${agent.base}/v1/kv/svc/.lock`)).text();
  t.true(fast.includes(`"Flags":${lockFlags},`), fast);
  const listed = await (await fetch(`${agent.base}/v1/kv/svc?recurse&pretty`)).text();
  t.true(listed.includes(`"Flags": ${lockFlags},`), listed);
  const max = (2n ** 64n - 1n).toString();
  t.is(await (await fetch(`${agent.base}/v1/kv/max?flags=${max}`, { method: 'PUT' })).text(), 'true');
  t.true((await (await fetch(`${agent.base}/v1/kv/max`)).text()).includes(`"Flags":${max},`));
  const over = await fetch(`${agent.base}/v1/kv/over?flags=${(2n ** 64n).toString()}`, { method: 'PUT' });
  t.is(over.status, 400);
  t.is(await over.text(), 'Invalid flags: must be an unsigned integer');
});
