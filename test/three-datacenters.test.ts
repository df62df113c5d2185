import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import test from 'ava';
import { BIN, concord } from './_agent.js';
import { type Proc, ProcessCluster, getText, httpAddr, until } from './_process-cluster.js';
import { FAST_WAN, wanNames } from './_wan.js';

/** dig's status and A records for `name`, asked of the DNS interface on `port`. */
function digA(port: number, name: string): Promise<{ status: string; addrs: string[] }> {
  return new Promise((resolve, reject) => {
    execFile('dig', ['@127.0.0.1', '-p', String(port), '+time=3', '+tries=1', '+noall', '+comments', '+answer', name, 'A'], { timeout: 10_000 }, (err, stdout) => {
      const text = String(stdout ?? '');
      const status = text.match(/status:\s*(\w+)/)?.[1];
      if (!status) {
        reject(err ?? new Error(`no reply: ${text}`));
        return;
      }
      const addrs = text
        .split('\n')
        .filter((l) => l && !l.startsWith(';'))
        .map((l) => l.trim().split(/\s+/))
        .filter((f) => f[3] === 'A')
        .map((f) => f[4] as string)
        .sort();
      resolve({ status, addrs });
    });
  });
}

/**
 * Waits for `name` to answer `expected` (a client agent's DNS view may lag its servers by up to a
 * second), then returns the answer.
 */
async function digSettles(port: number, name: string, expected: { status: string; addrs: string[] }): Promise<{ status: string; addrs: string[] }> {
  const want = JSON.stringify(expected);
  try {
    return await until(
      async () => {
        const r = await digA(port, name);
        return JSON.stringify(r) === want ? r : undefined;
      },
      10_000,
      `${name} to answer ${want}`,
    );
  } catch {
    return digA(port, name);
  }
}

const put = (p: Proc, path: string, body?: unknown) =>
  getText(httpAddr(p), path, { method: 'PUT', ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });

interface Execution {
  Datacenter: string;
  Failovers: number;
  Nodes: { Node: { Node: string; Datacenter: string } }[];
}

async function execute(p: Proc, query: string): Promise<Execution> {
  const r = await getText(httpAddr(p), `/v1/query/${query}/execute`);
  if (r.status !== 200) throw new Error(`${r.status} ${r.text}`);
  return JSON.parse(r.text) as Execution;
}

/** An external instance of `web` at `address` in `dc`, with a check in `status`. */
function externalWeb(dc: string, node: string, address: string, status: string) {
  return {
    Datacenter: dc,
    Node: node,
    Address: address,
    Service: { ID: 'web', Service: 'web', Port: 80 },
    Check: { CheckID: 'web-alive', Name: 'web alive', ServiceID: 'web', Status: status },
  };
}

test('three datacenters: WAN federation, reads, writes and DNS across them, prepared query failover and back, and a datacenter cut off', async (t) => {
  const c = new ProcessCluster(t);
  const dc1 = await c.startServers(3, { config: { datacenter: 'dc1', ...FAST_WAN } });
  const [s2, s3] = await Promise.all([
    c.startServer({ expect: 1, config: { datacenter: 'dc2', ...FAST_WAN } }),
    c.startServer({ expect: 1, config: { datacenter: 'dc3', ...FAST_WAN } }),
  ]);
  const client = await c.startClient({ join: dc1[0], dns: true, config: { datacenter: 'dc1' } });
  await c.waitForLeader([s2]);
  await c.waitForLeader([s3]);
  const s1 = dc1[0] as Proc;

  // WAN join from the CLI: every server of every datacenter sees the five servers, named <node>.<dc>.
  for (const s of [s2, s3, dc1[1] as Proc, dc1[2] as Proc]) {
    const join = await concord(['join', '-wan', `127.0.0.1:${s1.serfWanPort}`], httpAddr(s));
    t.is(join.code, 0, join.stderr);
  }
  const expected = [...dc1.map((s) => `${s.name}.dc1`), `${s2.name}.dc2`, `${s3.name}.dc3`].sort();
  for (const s of [...dc1, s2, s3]) {
    await until(async () => (await wanNames(s)).length === 5, 30_000, `${s.name} to see five WAN members`);
    t.deepEqual(await wanNames(s), expected);
  }

  // `catalog datacenters` lists the agent's own first, then the others by round trip.
  await until(
    async () => {
      const r = await concord(['catalog', 'datacenters'], httpAddr(client));
      const dcs = r.stdout.trim().split('\n');
      return dcs.length === 3 && dcs[0] === 'dc1' && [...dcs].sort().join() === 'dc1,dc2,dc3';
    },
    20_000,
    'the client to list three datacenters',
  );
  const fromDc3 = JSON.parse((await getText(httpAddr(s3), '/v1/catalog/datacenters')).text) as string[];
  t.is(fromDc3[0], 'dc3');
  t.deepEqual([...fromDc3].sort(), ['dc1', 'dc2', 'dc3']);

  // /v1/coordinate/datacenters: the WAN coordinates of every server, per datacenter.
  type DcMap = { Datacenter: string; AreaID: string; Coordinates: { Node: string; Coord: { Vec: number[] } }[] };
  const maps = await until(
    async () => {
      const m = JSON.parse((await getText(httpAddr(client), '/v1/coordinate/datacenters')).text) as DcMap[];
      return m.length === 3 && m.every((d) => d.Coordinates.length === (d.Datacenter === 'dc1' ? 3 : 1)) ? m : undefined;
    },
    30_000,
    'WAN coordinates of all five servers',
  );
  t.deepEqual(
    maps.map((m) => [m.Datacenter, m.AreaID, m.Coordinates.map((x) => x.Node).sort()]),
    [
      ['dc1', 'wan', dc1.map((s) => `${s.name}.dc1`).sort()],
      ['dc2', 'wan', [`${s2.name}.dc2`]],
      ['dc3', 'wan', [`${s3.name}.dc3`]],
    ],
  );
  t.true(maps.every((m) => m.Coordinates.every((x) => x.Coord.Vec.length === 8)));

  // Writes and reads across datacenters from dc1's client: KV stays in the datacenter named.
  t.is((await concord(['kv', 'put', '-datacenter', 'dc3', 'where', 'three'], httpAddr(client))).code, 0);
  t.is((await getText(httpAddr(s3), '/v1/kv/where?raw')).text, 'three');
  t.is((await getText(httpAddr(s2), '/v1/kv/where')).status, 404);
  t.is((await getText(httpAddr(client), '/v1/kv/where')).status, 404);

  // One instance of web per datacenter: dc1's on the client agent with a TTL check, the others external.
  const reg = await put(client, '/v1/agent/service/register', { ID: 'web', Name: 'web', Port: 80, Check: { TTL: '10m' } });
  t.is(reg.status, 200, reg.text);
  t.is((await put(client, '/v1/agent/check/pass/service:web')).status, 200);
  for (const [dc, node, addr] of [
    ['dc2', 'web-two', '10.2.0.1'],
    ['dc3', 'web-three', '10.3.0.1'],
  ] as const) {
    const r = await put(client, '/v1/catalog/register', externalWeb(dc, node, addr, 'passing'));
    t.is(r.status, 200, r.text);
  }
  t.deepEqual(await digSettles(client.dnsPort, 'web.service.dc2.consul', { status: 'NOERROR', addrs: ['10.2.0.1'] }), { status: 'NOERROR', addrs: ['10.2.0.1'] });
  t.deepEqual(await digSettles(client.dnsPort, 'web-three.node.dc3.consul', { status: 'NOERROR', addrs: ['10.3.0.1'] }), { status: 'NOERROR', addrs: ['10.3.0.1'] });

  // A query that fails over to dc3, then dc2 (dc9 is unknown and skipped).
  const created = await getText(httpAddr(client), '/v1/query', {
    method: 'POST',
    body: JSON.stringify({ Name: 'web', Service: { Service: 'web', Failover: { Datacenters: ['dc9', 'dc3', 'dc2'] } } }),
  });
  t.is(created.status, 200, created.text);
  await until(async () => (await execute(client, 'web')).Nodes.length === 1, 20_000, 'the local instance to pass');
  const local = await execute(client, 'web');
  t.deepEqual([local.Datacenter, local.Failovers, local.Nodes.map((n) => n.Node.Node)], ['dc1', 0, [client.name]]);
  t.deepEqual(await digSettles(client.dnsPort, 'web.query.consul', { status: 'NOERROR', addrs: ['127.0.0.1'] }), { status: 'NOERROR', addrs: ['127.0.0.1'] });

  // The last local instance goes critical: the answer comes from dc3, over HTTP and DNS.
  t.is((await put(client, '/v1/agent/check/fail/service:web')).status, 200);
  const failed = await until(
    async () => {
      const e = await execute(client, 'web');
      return e.Datacenter === 'dc3' ? e : undefined;
    },
    20_000,
    'the query to fail over to dc3',
  );
  t.deepEqual([failed.Failovers, failed.Nodes.map((n) => [n.Node.Node, n.Node.Datacenter])], [1, [['web-three', 'dc3']]]);
  t.deepEqual(await digSettles(client.dnsPort, 'web.query.consul', { status: 'NOERROR', addrs: ['10.3.0.1'] }), { status: 'NOERROR', addrs: ['10.3.0.1'] });
  // Through a dc1 server's own DNS view too (a server runs the failover itself).
  const viaServer = await getText(httpAddr(s1), '/v1/query/web/execute?stale');
  t.is((JSON.parse(viaServer.text) as Execution).Datacenter, 'dc3');

  // dc3's instance critical as well: on to dc2, the second datacenter tried.
  t.is((await put(client, '/v1/catalog/register', externalWeb('dc3', 'web-three', '10.3.0.1', 'critical'))).status, 200);
  const second = await execute(client, 'web');
  t.deepEqual([second.Datacenter, second.Failovers, second.Nodes.map((n) => n.Node.Node)], ['dc2', 2, ['web-two']]);
  t.deepEqual(await digSettles(client.dnsPort, 'web.query.consul', { status: 'NOERROR', addrs: ['10.2.0.1'] }), { status: 'NOERROR', addrs: ['10.2.0.1'] });

  // NearestN: 2 asks both other datacenters by round trip; with nothing healthy anywhere the answer is empty.
  t.is((await put(client, '/v1/catalog/register', externalWeb('dc2', 'web-two', '10.2.0.1', 'critical'))).status, 200);
  const nearest = await getText(httpAddr(client), '/v1/query', {
    method: 'POST',
    body: JSON.stringify({ Name: 'web-nearest', Service: { Service: 'web', Failover: { NearestN: 2, Datacenters: ['dc3'] } } }),
  });
  t.is(nearest.status, 200, nearest.text);
  const none = await execute(client, 'web-nearest');
  t.is(none.Failovers, 2);
  t.deepEqual(none.Nodes, []);
  t.true(['dc2', 'dc3'].includes(none.Datacenter));
  t.deepEqual(await digSettles(client.dnsPort, 'web-nearest.query.consul', { status: 'NXDOMAIN', addrs: [] }), { status: 'NXDOMAIN', addrs: [] });
  t.is((await put(client, '/v1/catalog/register', externalWeb('dc2', 'web-two', '10.2.0.1', 'passing'))).status, 200);
  t.deepEqual(await digSettles(client.dnsPort, 'web-nearest.query.consul', { status: 'NOERROR', addrs: ['10.2.0.1'] }), { status: 'NOERROR', addrs: ['10.2.0.1'] });

  // The local instance passes again: answers come back home.
  t.is((await put(client, '/v1/agent/check/pass/service:web')).status, 200);
  await until(async () => (await execute(client, 'web')).Datacenter === 'dc1', 20_000, 'the query to answer from dc1 again');
  t.deepEqual(await digSettles(client.dnsPort, 'web.query.consul', { status: 'NOERROR', addrs: ['127.0.0.1'] }), { status: 'NOERROR', addrs: ['127.0.0.1'] });

  // `<name>.query.<dc>.consul` is resolved and run by that datacenter: dc2 has its own query.
  t.deepEqual(await digSettles(client.dnsPort, 'web.query.dc2.consul', { status: 'NXDOMAIN', addrs: [] }), { status: 'NXDOMAIN', addrs: [] });
  const inDc2 = await getText(httpAddr(client), '/v1/query?dc=dc2', { method: 'POST', body: JSON.stringify({ Name: 'web', Service: { Service: 'web' } }) });
  t.is(inDc2.status, 200, inDc2.text);
  t.deepEqual(await digSettles(client.dnsPort, 'web.query.dc2.consul', { status: 'NOERROR', addrs: ['10.2.0.1'] }), { status: 'NOERROR', addrs: ['10.2.0.1'] });
  const remoteExec = JSON.parse((await getText(httpAddr(client), '/v1/query/web/execute?dc=dc2')).text) as Execution;
  t.deepEqual([remoteExec.Datacenter, remoteExec.Failovers], ['dc2', 0]);

  // -datacenter on the CLI commands that have it in Consul: catalog, snapshot, lock (kv above).
  const services = await concord(['catalog', 'services', '-datacenter', 'dc3'], httpAddr(client));
  t.is(services.code, 0, services.stderr);
  t.deepEqual(services.stdout.trim().split('\n'), ['consul', 'web']);
  const nodes = await concord(['catalog', 'nodes', '-service', 'web', '-datacenter', 'dc2'], httpAddr(client));
  t.is(nodes.code, 0, nodes.stderr);
  t.regex(nodes.stdout, /^web-two\s/m);
  const snap = join(mkdtempSync(join(tmpdir(), 'concord-3dc-')), 'dc3.snap');
  t.teardown(() => rmSync(dirname(snap), { recursive: true, force: true }));
  const saved = await concord(['snapshot', 'save', '-datacenter', 'dc3', snap], httpAddr(client));
  t.is(saved.code, 0, saved.stderr);
  const inspected = await concord(['snapshot', 'inspect', '-format', 'json', snap], httpAddr(client));
  t.is((JSON.parse(inspected.stdout) as { Meta: { Datacenter: string } }).Meta.Datacenter, 'dc3');
  // lock: the session is this agent's node's (Consul's default), so in dc2, where that node is
  // not registered, the session is refused there; in dc1 the lock is held and released.
  const peek = `'${process.execPath}' '${BIN}' kv get -detailed -datacenter dc1 locks/three/.lock`;
  const lock = await concord(['lock', '-datacenter', 'dc1', 'locks/three', peek], httpAddr(client));
  t.is(lock.code, 0, lock.stderr);
  t.regex(lock.stdout, /^Session\s+[0-9a-f-]{36}$/m, 'the lock key was held while the child ran');
  const lockThere = await concord(['lock', '-datacenter', 'dc2', 'locks/three', 'true'], httpAddr(client));
  t.is(lockThere.code, 1);
  t.is(lockThere.stderr.trim(), 'Lock acquisition failed: Unexpected response code: 500 (Missing node registration)');
  t.is((await getText(httpAddr(s2), '/v1/kv/locks/three/.lock')).status, 404);
  const lockNowhere = await concord(['lock', '-datacenter', 'dc9', 'locks/three', 'true'], httpAddr(client));
  t.is(lockNowhere.code, 1);
  t.regex(lockNowhere.stderr, /No path to datacenter/);
  const watched = await concord(['watch', '-type', 'key', '-key', 'where', '-datacenter', 'dc3'], httpAddr(client));
  t.is(watched.code, 0, watched.stderr);
  t.is(Buffer.from((JSON.parse(watched.stdout) as { Value: string }).Value, 'base64').toString(), 'three');
  const peers = await concord(['operator', 'raft', 'list-peers', '-datacenter', 'dc2'], httpAddr(client));
  t.is(peers.code, 0, peers.stderr);
  t.regex(peers.stdout, new RegExp(`^${s2.name}\\s`, 'm'));
  // rtt -wan between servers of two other datacenters.
  const rtt = await concord(['rtt', '-wan', `${s2.name}.dc2`, `${s3.name}.dc3`], httpAddr(client));
  t.is(rtt.code, 0, rtt.stderr);
  t.regex(rtt.stdout, /^Estimated \S+\.dc2 <-> \S+\.dc3 rtt: \d+\.\d{3} ms \(using WAN coordinates\)\n$/);

  // concord template: datacenters, key "k@dc", service "name@dc".
  const tplDir = dirname(snap);
  const render = async (name: string, text: string): Promise<string> => {
    writeFileSync(join(tplDir, `${name}.tpl`), text);
    const r = await concord(['template', '-once', '-template', `${join(tplDir, `${name}.tpl`)}:${join(tplDir, `${name}.out`)}`], httpAddr(client));
    if (r.code !== 0) throw new Error(r.stderr);
    return readFileSync(join(tplDir, `${name}.out`), 'utf8');
  };
  t.is(
    await render('across', '{{ range datacenters }}{{ . }} {{ end }}|{{ key "where@dc3" }}|{{ range service "web@dc2" }}{{ .Node }}={{ .Address }}{{ end }}'),
    'dc1 dc2 dc3 |three|web-two=10.2.0.1',
  );

  // dc3 cut off from the WAN: its requests fail fast with Consul's error, the rest carries on.
  await c.kill(s3);
  await until(async () => !(await wanNames(s1)).includes(`${s3.name}.dc3`), 30_000, 'dc3 to be seen failed');
  const started = Date.now();
  const lost = await getText(httpAddr(client), '/v1/kv/where?dc=dc3');
  t.deepEqual([lost.status, lost.text], [500, 'No path to datacenter']);
  t.true(Date.now() - started < 5000, `answered in ${Date.now() - started} ms`);
  const cliLost = await concord(['kv', 'get', '-datacenter', 'dc3', 'where'], httpAddr(client));
  t.not(cliLost.code, 0);
  t.regex(cliLost.stderr, /No path to datacenter/);
  t.deepEqual(await digSettles(client.dnsPort, 'web.service.dc3.consul', { status: 'NXDOMAIN', addrs: [] }), { status: 'NXDOMAIN', addrs: [] });
  // A template's `datacenters true` leaves the lost one out; `datacenters` still lists it, as Consul does.
  t.is(await render('up', '{{ range datacenters }}{{ . }} {{ end }}|{{ range datacenters true }}{{ . }} {{ end }}'), 'dc1 dc2 dc3 |dc1 dc2 ');
  // The failover query skips the lost datacenter and answers from dc2.
  t.is((await put(client, '/v1/agent/check/fail/service:web')).status, 200);
  const skipped = await until(
    async () => {
      const e = await execute(client, 'web');
      return e.Datacenter === 'dc2' ? e : undefined;
    },
    20_000,
    'the query to fail over past dc3 to dc2',
  );
  t.is(skipped.Failovers, 2);
  t.deepEqual(await digSettles(client.dnsPort, 'web.query.consul', { status: 'NOERROR', addrs: ['10.2.0.1'] }), { status: 'NOERROR', addrs: ['10.2.0.1'] });
  // Local and dc2 requests are unaffected.
  t.is((await concord(['kv', 'put', 'local/still', 'up'], httpAddr(client))).code, 0);
  t.is((await getText(httpAddr(client), '/v1/kv/local/still?raw')).text, 'up');
  t.deepEqual(await digSettles(client.dnsPort, 'web.service.dc2.consul', { status: 'NOERROR', addrs: ['10.2.0.1'] }), { status: 'NOERROR', addrs: ['10.2.0.1'] });
});
