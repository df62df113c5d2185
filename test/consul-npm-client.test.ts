/**
 * The `consul` npm client (silas/node-consul), used as its README shows, against a dev agent and
 * through a client agent that forwards to a server: KV (get/set/del/keys, cas, recurse, locks
 * with sessions), catalog, health, agent services and checks (TTL pass/fail, maintenance),
 * sessions, status, events, transactions and the client's watch helper. Every answer is checked
 * for the shape Consul's HTTP API documentation gives it.
 */
import { fileScope, startAgent, uniqueName } from '@concord/testkit';
import test, { type ExecutionContext } from 'ava';
import Consul from 'consul';
import { ProcessCluster, getText, httpAddr, until } from './_process-cluster.js';

const scope = fileScope((fn) => test.after.always(fn));

/** The client's methods as called here; answers are checked against Consul's documented shapes. */
type Call = (...args: unknown[]) => Promise<unknown>;
type Api = Record<string, Call>;
interface Client {
  kv: Api;
  session: Api;
  catalog: Api & { service: Api; node: Api };
  agent: Api & { service: Api; check: Api };
  health: Api;
  status: Api;
  event: Api;
  transaction: Api;
}

interface Target {
  readonly label: string;
  readonly addr: string;
  /** The node name of the agent the client talks to. */
  readonly node: string;
  readonly consul: Client;
  readonly raw: Consul;
}

function target(label: string, addr: string, node: string): Target {
  const [host, port] = addr.split(':');
  const raw = new Consul({ host, port: Number(port) });
  return { label, addr, node, raw, consul: raw as unknown as Client };
}

async function nodeName(addr: string): Promise<string> {
  const self = JSON.parse((await getText(addr, '/v1/agent/self')).text) as { Config: { NodeName: string } };
  return self.Config.NodeName;
}

const targets: Target[] = [];

test.before(async () => {
  const dev = await startAgent(scope);
  targets.push(target('dev agent', dev.httpAddr, await nodeName(dev.httpAddr)));

  const cluster = new ProcessCluster(scope);
  const [server] = await cluster.startServers(1);
  if (!server) throw new Error('no server');
  const client = await cluster.startClient({ join: server });
  const addr = httpAddr(client);
  await until(async () => (await getText(addr, '/v1/status/leader')).text.includes(':'), 30_000, 'the client agent to know the leader');
  // The client agent's own node appears in the catalog once it has synced.
  await until(async () => (await getText(addr, `/v1/catalog/node/${client.name}`)).status === 200 || undefined, 30_000, 'the client node in the catalog');
  targets.push(target('client agent', addr, client.name));
});

/** Runs `check` against every target, labelling failures with the target. */
async function eachTarget(t: ExecutionContext, check: (x: Target, id: string) => Promise<void>): Promise<void> {
  t.timeout(90_000);
  t.is(targets.length, 2);
  for (const x of targets) {
    const id = uniqueName('npm').replace(/[^a-z0-9-]/g, '-');
    await check(x, id);
  }
}

test('kv: set, get (decoded Value, indexes, flags), keys with a separator, recurse and delete', async (t) => {
  await eachTarget(t, async ({ label, consul }, id) => {
    t.true(await consul.kv.set({ key: `${id}/a`, value: 'one', flags: 42 }), label);
    t.true(await consul.kv.set(`${id}/dir/b`, 'two'), label);
    t.true(await consul.kv.set(`${id}/dir/c`, ''), label);

    const a = (await consul.kv.get(`${id}/a`)) as Record<string, unknown>;
    t.is(a.Key, `${id}/a`, label);
    t.is(a.Value, 'one', `${label}: the client decodes the base64 Value`);
    t.is(a.Flags, 42, label);
    t.is(a.LockIndex, 0, label);
    t.is(typeof a.CreateIndex, 'number', label);
    t.true((a.ModifyIndex as number) >= (a.CreateIndex as number), label);
    t.false('Session' in a, `${label}: no Session on an unlocked key`);

    const empty = (await consul.kv.get(`${id}/dir/c`)) as Record<string, unknown>;
    t.is(empty.Value, null, `${label}: an empty value is null`);
    t.is(await consul.kv.get(`${id}/missing`), undefined, `${label}: a missing key is undefined`);

    t.deepEqual(await consul.kv.keys({ key: `${id}/`, separator: '/' }), [`${id}/a`, `${id}/dir/`], label);
    t.deepEqual(await consul.kv.keys(`${id}/`), [`${id}/a`, `${id}/dir/b`, `${id}/dir/c`], label);

    const all = (await consul.kv.get({ key: `${id}/`, recurse: true })) as Record<string, unknown>[];
    t.deepEqual(
      all.map((e) => [e.Key, e.Value]),
      [
        [`${id}/a`, 'one'],
        [`${id}/dir/b`, 'two'],
        [`${id}/dir/c`, null],
      ],
      label,
    );

    t.true(await consul.kv.del(`${id}/a`), label);
    t.is(await consul.kv.get(`${id}/a`), undefined, label);
    t.true(await consul.kv.del({ key: `${id}/dir/`, recurse: true }), label);
    t.is(await consul.kv.get({ key: `${id}/`, recurse: true }), undefined, `${label}: nothing left under the prefix`);
  });
});

test('kv: cas writes and deletes succeed only at the current ModifyIndex', async (t) => {
  await eachTarget(t, async ({ label, consul }, id) => {
    const key = `${id}/cas`;
    t.true(await consul.kv.set({ key, value: 'v1', cas: 0 }), `${label}: cas=0 creates`);
    t.not(await consul.kv.set({ key, value: 'v2', cas: 0 }), true, `${label}: cas=0 on an existing key fails`);
    const cur = (await consul.kv.get(key)) as { ModifyIndex: number; Value: string };
    t.is(cur.Value, 'v1', label);
    t.not(await consul.kv.set({ key, value: 'v2', cas: cur.ModifyIndex + 1000 }), true, `${label}: a stale index fails`);
    t.true(await consul.kv.set({ key, value: 'v2', cas: cur.ModifyIndex }), label);
    const next = (await consul.kv.get(key)) as { ModifyIndex: number; Value: string };
    t.is(next.Value, 'v2', label);
    t.not(await consul.kv.del({ key, cas: cur.ModifyIndex }), true, `${label}: a delete at an old index fails`);
    t.is(((await consul.kv.get(key)) as { Value: string }).Value, 'v2', label);
    t.true(await consul.kv.del({ key, cas: next.ModifyIndex }), label);
    t.is(await consul.kv.get(key), undefined, label);
  });
});

test('kv locks: acquire and release with sessions; a second session cannot acquire a held key', async (t) => {
  await eachTarget(t, async ({ label, consul }, id) => {
    const key = `${id}/lock`;
    const s1 = (await consul.session.create({ name: `${id}-1`, ttl: '30s' })) as { ID: string };
    const s2 = (await consul.session.create({ name: `${id}-2`, ttl: '30s' })) as { ID: string };
    t.regex(s1.ID, /^[0-9a-f-]{36}$/, label);

    t.true(await consul.kv.set({ key, value: 'held', acquire: s1.ID }), label);
    const held = (await consul.kv.get(key)) as { Session?: string; LockIndex: number };
    t.is(held.Session, s1.ID, label);
    t.is(held.LockIndex, 1, label);
    t.not(await consul.kv.set({ key, value: 'stolen', acquire: s2.ID }), true, `${label}: held by another session`);
    t.not(await consul.kv.set({ key, value: 'x', release: s2.ID }), true, `${label}: only the holder releases`);

    t.true(await consul.kv.set({ key, value: 'free', release: s1.ID }), label);
    const released = (await consul.kv.get(key)) as Record<string, unknown>;
    t.false('Session' in released, label);
    t.is(released.Value, 'free', label);
    t.is(released.LockIndex, 1, `${label}: LockIndex counts acquisitions`);

    t.true(await consul.kv.set({ key, value: 'mine', acquire: s2.ID }), label);
    t.is(((await consul.kv.get(key)) as { LockIndex: number }).LockIndex, 2, label);
    await consul.session.destroy(s2.ID);
    t.false('Session' in ((await consul.kv.get(key)) as object), `${label}: destroying the session releases the lock`);
    await consul.session.destroy(s1.ID);
    await consul.kv.del(key);
  });
});

test('session: create, info, get, list, node, renew and destroy', async (t) => {
  await eachTarget(t, async ({ label, consul, node }, id) => {
    const created = (await consul.session.create({ name: id, ttl: '20s', behavior: 'delete', lockdelay: '5s' })) as Record<string, unknown>;
    t.deepEqual(Object.keys(created), ['ID'], label);
    const sid = created.ID as string;

    const info = (await consul.session.info(sid)) as Record<string, unknown>;
    t.is(info.ID, sid, label);
    t.is(info.Name, id, label);
    t.is(info.Node, node, `${label}: the session belongs to the agent's node`);
    t.is(info.TTL, '20s', label);
    t.is(info.Behavior, 'delete', label);
    t.is(info.LockDelay, 5_000_000_000, `${label}: LockDelay in nanoseconds`);
    t.true(Array.isArray(info.NodeChecks) || Array.isArray(info.Checks), label);
    t.is(typeof info.CreateIndex, 'number', label);
    t.deepEqual(await consul.session.get(sid), info, label);

    const list = (await consul.session.list()) as { ID: string }[];
    t.true(
      list.some((s) => s.ID === sid),
      label,
    );
    const onNode = (await consul.session.node(node)) as { ID: string }[];
    t.true(
      onNode.some((s) => s.ID === sid),
      label,
    );

    const renewed = (await consul.session.renew(sid)) as Record<string, unknown>[];
    t.true(Array.isArray(renewed), `${label}: renew answers a one-element list`);
    t.is(renewed.length, 1, label);
    t.is(renewed[0]?.ID, sid, label);

    await consul.session.destroy(sid);
    t.is(await consul.session.info(sid), undefined, `${label}: an unknown session is undefined`);
    const err = await t.throwsAsync(consul.session.renew(sid));
    t.regex(String(err?.message), /not found|404/i, label);
  });
});

test('catalog: register and deregister an external node and service, services, nodes, node and service by tag', async (t) => {
  await eachTarget(t, async ({ label, consul, node, addr }, id) => {
    const dcs = await consul.catalog.datacenters();
    t.deepEqual(dcs, ['dc1'], label);

    await consul.catalog.register({
      node: `${id}-ext`,
      address: '192.0.2.10',
      nodemeta: { rack: 'r1' },
      service: { id: `${id}-s1`, service: `${id}-svc`, tags: ['blue', 'v1'], port: 7001, address: '192.0.2.11', meta: { team: 'a' } },
    });
    const services = (await consul.catalog.service.list()) as Record<string, string[]>;
    t.deepEqual(services[`${id}-svc`]?.slice().sort(), ['blue', 'v1'], label);
    t.deepEqual(services.consul, [], `${label}: the consul service is listed`);

    const nodes = (await consul.catalog.node.list()) as { Node: string; Address: string }[];
    t.true(
      nodes.some((n) => n.Node === node),
      `${label}: the agent's own node`,
    );
    t.is(nodes.find((n) => n.Node === `${id}-ext`)?.Address, '192.0.2.10', label);

    const one = (await consul.catalog.node.services(`${id}-ext`)) as { Node: Record<string, unknown>; Services: Record<string, Record<string, unknown>> };
    t.is(one.Node.Node, `${id}-ext`, label);
    t.deepEqual(one.Node.Meta, { rack: 'r1' }, label);
    t.is(one.Services[`${id}-s1`]?.Port, 7001, label);
    t.is(await consul.catalog.node.services(`${id}-nope`), undefined, `${label}: an unknown node is null (the client resolves undefined)`);
    const wire = await getText(addr, `/v1/catalog/node/${id}-nope`);
    t.deepEqual([wire.status, wire.text], [200, 'null'], label);

    const byTag = (await consul.catalog.service.nodes({ service: `${id}-svc`, tag: 'blue' })) as Record<string, unknown>[];
    t.is(byTag.length, 1, label);
    t.like(byTag[0], { Node: `${id}-ext`, Address: '192.0.2.10', ServiceID: `${id}-s1`, ServiceName: `${id}-svc`, ServiceAddress: '192.0.2.11', ServicePort: 7001 }, label);
    t.deepEqual(byTag[0]?.ServiceMeta, { team: 'a' }, label);
    t.deepEqual(await consul.catalog.service.nodes({ service: `${id}-svc`, tag: 'red' }), [], label);
    t.deepEqual(await consul.catalog.service.nodes(`${id}-unknown`), [], `${label}: an unknown service is []`);

    await consul.catalog.deregister({ node: `${id}-ext`, serviceid: `${id}-s1` });
    t.deepEqual(await consul.catalog.service.nodes(`${id}-svc`), [], label);
    await consul.catalog.deregister({ node: `${id}-ext` });
    t.is(await consul.catalog.node.services(`${id}-ext`), undefined, label);
  });
});

test('agent: self, members, service and check register, TTL pass and fail, deregister, anti-entropy to the catalog', async (t) => {
  await eachTarget(t, async ({ label, consul, node }, id) => {
    const self = (await consul.agent.self()) as { Config: Record<string, unknown>; Member: Record<string, unknown> };
    t.is(self.Config.NodeName, node, label);
    t.is(self.Config.Datacenter, 'dc1', label);
    t.is(self.Member.Name, node, label);
    const members = (await consul.agent.members()) as { Name: string; Status: number }[];
    t.is(members.find((m) => m.Name === node)?.Status, 1, `${label}: alive is status 1`);

    await consul.agent.service.register({ id, name: `${id}-web`, tags: ['v1'], port: 8080, meta: { a: 'b' }, check: { ttl: '30s', notes: 'ttl' } });
    const svcs = (await consul.agent.service.list()) as Record<string, Record<string, unknown>>;
    t.like(svcs[id], { ID: id, Service: `${id}-web`, Tags: ['v1'], Port: 8080, Meta: { a: 'b' } }, label);
    const checkId = `service:${id}`;
    let checks = (await consul.agent.check.list()) as Record<string, Record<string, unknown>>;
    t.like(checks[checkId], { CheckID: checkId, Status: 'critical', ServiceID: id, ServiceName: `${id}-web`, Node: node }, label);

    await consul.agent.check.pass({ id: checkId, note: 'all good' });
    checks = (await consul.agent.check.list()) as Record<string, Record<string, unknown>>;
    t.like(checks[checkId], { Status: 'passing', Output: 'all good' }, label);
    await consul.agent.check.fail({ id: checkId, note: 'broken' });
    checks = (await consul.agent.check.list()) as Record<string, Record<string, unknown>>;
    t.like(checks[checkId], { Status: 'critical', Output: 'broken' }, label);
    await consul.agent.check.warn(checkId);
    t.is(((await consul.agent.check.list()) as Record<string, { Status: string }>)[checkId]?.Status, 'warning', label);

    // Standalone check on the node.
    await consul.agent.check.register({ id: `${id}-chk`, name: `${id} check`, ttl: '30s' });
    await consul.agent.check.pass(`${id}-chk`);
    t.like(((await consul.agent.check.list()) as Record<string, unknown>)[`${id}-chk`], { Name: `${id} check`, Status: 'passing', ServiceID: '' }, label);

    // Anti-entropy: the registration reaches the catalog.
    await until(
      async () => ((await consul.catalog.service.nodes(`${id}-web`)) as { Node: string }[]).some((n) => n.Node === node) || undefined,
      15_000,
      `${label}: ${id}-web in the catalog`,
    );

    await consul.agent.check.deregister(`${id}-chk`);
    t.false(`${id}-chk` in ((await consul.agent.check.list()) as object), label);
    await consul.agent.service.deregister(id);
    t.false(id in ((await consul.agent.service.list()) as object), label);
    t.false(checkId in ((await consul.agent.check.list()) as object), `${label}: the service's check goes with it`);
    await until(async () => ((await consul.catalog.service.nodes(`${id}-web`)) as unknown[]).length === 0 || undefined, 15_000, `${label}: ${id}-web gone from the catalog`);
    const err = await t.throwsAsync(consul.agent.service.deregister(`${id}-never`));
    t.regex(String(err?.message), /not found|unknown|404/i, label);
  });
});

test('agent: service maintenance and node maintenance add and remove their critical checks', async (t) => {
  await eachTarget(t, async ({ label, consul, node }, id) => {
    await consul.agent.service.register({ id, name: `${id}-m`, port: 1 });
    await consul.agent.service.maintenance({ id, enable: true, reason: 'upgrade' });
    const maintId = `_service_maintenance:${id}`;
    t.like(((await consul.agent.check.list()) as Record<string, unknown>)[maintId], { Status: 'critical', Notes: 'upgrade', ServiceID: id }, label);
    await consul.agent.service.maintenance({ id, enable: false });
    t.false(maintId in ((await consul.agent.check.list()) as object), label);

    await consul.agent.maintenance({ enable: true, reason: 'patching' });
    t.like(((await consul.agent.check.list()) as Record<string, unknown>)._node_maintenance, { Status: 'critical', Notes: 'patching', Node: node }, label);
    await until(
      async () => ((await consul.health.node(node)) as { CheckID: string }[]).some((c) => c.CheckID === '_node_maintenance') || undefined,
      15_000,
      `${label}: node maintenance in the catalog`,
    );
    await consul.agent.maintenance(false);
    t.false('_node_maintenance' in ((await consul.agent.check.list()) as object), label);
    await consul.agent.service.deregister(id);
  });
});

test('health: service with passing, checks, node and state', async (t) => {
  await eachTarget(t, async ({ label, consul, node }, id) => {
    await consul.agent.service.register({ id: `${id}-1`, name: `${id}-h`, port: 1, check: { ttl: '30s' } });
    await consul.agent.service.register({ id: `${id}-2`, name: `${id}-h`, port: 2, check: { ttl: '30s' } });
    await consul.agent.check.pass(`service:${id}-1`);

    const passing = await until(
      async () => {
        const list = (await consul.health.service({ service: `${id}-h`, passing: true })) as {
          Node: { Node: string };
          Service: { ID: string };
          Checks: { CheckID: string; Status: string }[];
        }[];
        return list.length === 1 ? list : undefined;
      },
      15_000,
      `${label}: one passing instance`,
    );
    t.is(passing[0]?.Service.ID, `${id}-1`, label);
    t.is(passing[0]?.Node.Node, node, label);
    // The instance's own check and the node's; tests running beside this one may add node-level
    // checks of their own to the same node (those apply to every service on it, as in Consul).
    const own = passing[0]?.Checks.filter((c) => c.CheckID === 'serfHealth' || c.CheckID.startsWith('service:')).map((c) => c.CheckID);
    t.deepEqual(own?.sort(), ['serfHealth', `service:${id}-1`], `${label}: node and service checks`);

    const all = (await consul.health.service(`${id}-h`)) as unknown[];
    t.is(all.length, 2, label);
    const checks = (await consul.health.checks(`${id}-h`)) as { ServiceName: string; Status: string }[];
    t.deepEqual(checks.map((c) => c.Status).sort(), ['critical', 'passing'], label);
    t.true(
      checks.every((c) => c.ServiceName === `${id}-h`),
      label,
    );

    const onNode = (await consul.health.node(node)) as { CheckID: string; Status: string }[];
    t.is(onNode.find((c) => c.CheckID === 'serfHealth')?.Status, 'passing', label);
    const critical = (await consul.health.state('critical')) as { CheckID: string }[];
    t.true(
      critical.some((c) => c.CheckID === `service:${id}-2`),
      label,
    );
    t.false(
      critical.some((c) => c.CheckID === `service:${id}-1`),
      label,
    );
    const err = await t.throwsAsync(consul.health.state('nonsense'));
    t.truthy(err, label);

    await consul.agent.service.deregister(`${id}-1`);
    await consul.agent.service.deregister(`${id}-2`);
  });
});

test('status leader and peers name the server RPC address', async (t) => {
  await eachTarget(t, async ({ label, consul }) => {
    const leader = (await consul.status.leader()) as string;
    t.regex(leader, /^127\.0\.0\.1:\d+$/, label);
    const peers = (await consul.status.peers()) as string[];
    t.deepEqual(peers, [leader], `${label}: one server, the leader`);
  });
});

test('event: fire answers the event and list shows it with its payload', async (t) => {
  await eachTarget(t, async ({ label, consul }, id) => {
    const name = `${id}-deploy`;
    const fired = (await consul.event.fire({ name, payload: 'v42' })) as Record<string, unknown>;
    t.is(fired.Name, name, label);
    t.regex(String(fired.ID), /^[0-9a-f-]{36}$/, label);
    t.is(fired.Payload, 'v42', `${label}: the client decodes the payload`);
    t.is(fired.Version, 1, label);
    const list = (await consul.event.list({ name })) as Record<string, unknown>[];
    t.is(list.length, 1, label);
    t.is(list[0]?.ID, fired.ID, label);
    t.is(list[0]?.Payload, 'v42', label);
    t.is(typeof list[0]?.LTime, 'number', label);
  });
});

test('txn: KV set and get together; a failed cas rolls back and rejects with the failing op', async (t) => {
  await eachTarget(t, async ({ label, consul }, id) => {
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    const ok = (await consul.transaction.create([
      { KV: { Verb: 'set', Key: `${id}/t1`, Value: b64('a') } },
      { KV: { Verb: 'set', Key: `${id}/t2`, Value: b64('b') } },
      { KV: { Verb: 'get', Key: `${id}/t1` } },
    ])) as { Results: { KV: Record<string, unknown> }[]; Errors: unknown };
    t.is(ok.Errors, null, label);
    t.is(ok.Results.length, 3, label);
    t.is(ok.Results[2]?.KV.Value, b64('a'), `${label}: txn values stay base64`);
    t.is(ok.Results[0]?.KV.Value, null, `${label}: a set answers no value`);

    const err = (await t.throwsAsync(
      consul.transaction.create([{ KV: { Verb: 'set', Key: `${id}/t3`, Value: b64('c') } }, { KV: { Verb: 'cas', Key: `${id}/t1`, Value: b64('z'), Index: 1 } }]),
    )) as Error & { response?: { statusCode: number; body: { Errors: { OpIndex: number; What: string }[] } } };
    t.is(err.response?.statusCode, 409, label);
    t.is(err.response?.body.Errors[0]?.OpIndex, 1, label);
    t.is(await consul.kv.get(`${id}/t3`), undefined, `${label}: the first op was rolled back`);
    t.is(((await consul.kv.get(`${id}/t1`)) as { Value: string }).Value, 'a', label);
  });
});

test("watch: the client's watch helper follows a key through blocking queries and stops on end()", async (t) => {
  await eachTarget(t, async ({ label, consul, raw }, id) => {
    const key = `${id}/watched`;
    await consul.kv.set(key, 'v0');
    const seen: (string | null)[] = [];
    const errors: unknown[] = [];
    let requests = 0;
    const watch = raw.watch({
      method(this: unknown, opts: unknown) {
        requests++;
        return (raw.kv.get as (o: unknown) => Promise<unknown>).call(this, opts);
      },
      options: { key, wait: '2s' } as never,
    });
    watch.on('change', (data: { Value: string | null } | undefined) => seen.push(data?.Value ?? null));
    watch.on('error', (err: unknown) => errors.push(err));
    try {
      await until(async () => seen.includes('v0') || undefined, 10_000, `${label}: the first value`);
      for (const v of ['v1', 'v2']) {
        await consul.kv.set(key, v);
        await until(async () => seen.includes(v) || undefined, 10_000, `${label}: ${v}`);
      }
      // Idle blocking queries are re-issued after the wait without a spurious change.
      const before = requests;
      const changes = seen.length;
      await until(async () => requests >= before + 2 || undefined, 10_000, `${label}: the watch to re-block`);
      t.is(seen.length, changes, `${label}: no change while the key stays the same`);
      await consul.kv.del(key);
      await until(async () => seen.length > changes || undefined, 10_000, `${label}: the delete`);
      t.deepEqual(errors, [], label);
      t.true(watch.isRunning(), label);
    } finally {
      watch.end();
    }
    t.false(watch.isRunning(), label);
    t.deepEqual(seen.slice(0, 3), ['v0', 'v1', 'v2'], label);
  });
});
