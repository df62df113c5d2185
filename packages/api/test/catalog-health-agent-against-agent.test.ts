import { testWithAgent, uniqueName } from './_agent.js';

const test = testWithAgent();

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('status reports a leader that is among the peers', async (t) => {
  const { api } = t.context;
  const leader = await until(
    () => api.status.leader(),
    (l) => l !== '',
  );
  t.regex(leader, /^127\.0\.0\.1:\d+$/);
  t.true((await api.status.peers()).includes(leader));
});

test('agent self and members describe this dev server', async (t) => {
  const { api, agent } = t.context;
  const self = await api.agent.self();
  t.is(self.Config.NodeName, agent.node);
  t.is(self.Config.Datacenter, 'dc1');
  t.true(self.Config.Server);
  const members = await api.agent.members();
  const me = members.find((m) => m.Name === agent.node);
  t.is(me?.Status, 1);
  t.is(me?.Tags.role, 'consul');
});

test('a service registered with the agent reaches the catalog and health', async (t) => {
  const { api, agent } = t.context;
  const name = uniqueName('web');
  await api.agent.serviceRegister({ Name: name, ID: `${name}-1`, Port: 8080, Tags: ['v1'], Check: { TTL: '30s' } });
  t.is((await api.agent.services())[`${name}-1`]?.Port, 8080);
  t.is((await api.agent.service(`${name}-1`))?.Service, name);
  t.is(await api.agent.service(uniqueName('none')), undefined);

  await api.agent.checkPass(`service:${name}-1`, 'fine');
  const checks = await api.agent.checks();
  t.is(checks[`service:${name}-1`]?.Status, 'passing');
  t.is(checks[`service:${name}-1`]?.Output, 'fine');

  const inCatalog = await until(
    () => api.catalog.service(name),
    (r) => r.value.length > 0,
  );
  t.is(inCatalog.value[0]?.ServiceID, `${name}-1`);
  t.is(inCatalog.value[0]?.Node, agent.node);
  t.true(name in (await api.catalog.services()).value);

  const healthy = await until(
    () => api.health.service(name, { passing: true }),
    (r) => r.value.length > 0,
  );
  t.is(healthy.value[0]?.Service.ID, `${name}-1`);
  await api.agent.checkFail(`service:${name}-1`, 'broken');
  const none = await until(
    () => api.health.service(name, { passing: true }),
    (r) => r.value.length === 0,
  );
  t.deepEqual(none.value, []);

  await api.agent.serviceDeregister(`${name}-1`);
  t.false(`${name}-1` in (await api.agent.services()));
});

test('catalog register and deregister manage an external node', async (t) => {
  const { api } = t.context;
  const node = uniqueName('ext');
  await api.catalog.register({
    Node: node,
    Address: '192.0.2.10',
    Service: { Service: 'redis', ID: `${node}-redis`, Port: 6379 },
    Check: { Name: 'redis alive', Status: 'passing', ServiceID: `${node}-redis` },
  });
  const { value } = await api.catalog.node(node);
  t.is(value?.Node.Address, '192.0.2.10');
  t.is(value?.Services[`${node}-redis`]?.Port, 6379);
  t.true((await api.catalog.nodes()).value.some((n) => n.Node === node));
  t.true((await api.health.node(node)).value.some((c) => c.Name === 'redis alive'));
  await api.catalog.deregister({ Node: node });
  t.is((await api.catalog.node(node)).value, null);
  t.deepEqual((await api.catalog.service(uniqueName('unknown'))).value, []);
});

test('a session holds a lock until it is destroyed', async (t) => {
  const { api, agent } = t.context;
  const id = await api.session.create({ Name: 'lock', TTL: '30s', LockDelay: '0s' });
  const info = (await api.session.info(id)).value;
  t.is(info?.ID, id);
  t.is(info?.Node, agent.node);
  t.true((await api.session.list()).value.some((s) => s.ID === id));
  t.true((await api.session.node(agent.node)).value.some((s) => s.ID === id));
  t.is((await api.session.renew(id))?.ID, id);

  const key = uniqueName('lock');
  t.true(await api.kv.put(key, 'held', { acquire: id }));
  t.is((await api.kv.get(key)).value?.Session, id);
  t.true(await api.session.destroy(id));
  t.is((await api.kv.get(key)).value?.Session, undefined);
  t.is((await api.session.info(id)).value, undefined);
  t.is(await api.session.renew(id), undefined);
});

test('the raft configuration has exactly one leader', async (t) => {
  const { api, agent } = t.context;
  const config = await until(
    () => api.operator.raftConfiguration(),
    (c) => c.Servers.some((s) => s.Leader),
  );
  t.is(config.Servers.filter((s) => s.Leader).length, 1);
  t.is(config.Servers[0]?.Node, agent.node);
});
