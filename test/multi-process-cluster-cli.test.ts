import { Resolver } from 'node:dns/promises';
import test from 'ava';
import { concord } from './_agent.js';
import { ProcessCluster, getText, until } from './_process-cluster.js';

test('three servers and two clients, operated with the CLI', async (t) => {
  const c = new ProcessCluster(t);
  const servers = await c.startServers(3);
  const [c1, c2] = [await c.startClient({ join: servers[0], dns: true }), await c.startClient({ join: servers[2], dns: true })];
  if (!c1 || !c2) return t.fail();
  const addr = (p: { httpPort: number }) => `127.0.0.1:${p.httpPort}`;

  // members on a client: five alive members, three servers and two clients.
  const members = await until(
    async () => {
      const r = await concord(['members'], addr(c1));
      const rows = r.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(/\s+/));
      return rows.length === 5 && rows.every((row) => row[2] === 'alive') ? rows : undefined;
    },
    20_000,
    'five alive members',
  );
  t.is(members.filter((r) => r[3] === 'server').length, 3);
  t.is(members.filter((r) => r[3] === 'client').length, 2);

  // raft: one leader, three voters.
  const peers = await concord(['operator', 'raft', 'list-peers'], addr(c2));
  t.is(peers.code, 0, peers.stderr);
  const peerRows = peers.stdout.trim().split('\n').slice(1);
  t.is(peerRows.length, 3);
  t.is(peerRows.filter((l) => /\bleader\b/.test(l)).length, 1);

  // kv put on a client, kv get on every agent (servers also with a stale read).
  const put = await concord(['kv', 'put', 'cli/greeting', 'hello'], addr(c1));
  t.is(put.code, 0, put.stderr);
  for (const p of [...servers, c1, c2]) {
    const got = await concord(['kv', 'get', 'cli/greeting'], addr(p));
    t.is(got.stdout, 'hello\n', `${p.name}: ${got.stderr}`);
  }
  for (const s of servers) {
    const stale = await until(
      async () => {
        const r = await getText(s.httpPort, '/v1/kv/cli/greeting?raw&stale');
        return r.text === 'hello' ? r : undefined;
      },
      5000,
      `${s.name} to apply the write`,
    );
    t.is(stale.headers.get('x-consul-knownleader'), 'true');
  }

  // A service registered through one client is in the catalog and in the other client's DNS.
  const reg = await concord(['services', 'register', '-name', 'web', '-port', '8080', '-tag', 'v1'], addr(c1));
  t.is(reg.code, 0, reg.stderr);
  const catalog = await until(
    async () => {
      const list = JSON.parse((await getText(servers[1]?.httpPort ?? 0, '/v1/catalog/service/web')).text) as { Node: string; ServicePort: number }[];
      return list.length === 1 ? list[0] : undefined;
    },
    10_000,
    'web in the catalog',
  );
  t.is(catalog.Node, c1.name);
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  resolver.setServers([`127.0.0.1:${c2.dnsPort}`]);
  const srv = await until(async () => (await resolver.resolveSrv('v1.web.service.consul'))[0], 10_000, 'web in DNS');
  t.is(srv.port, 8080);
  t.is(srv.name, `${c1.name}.node.dc1.consul`);

  // A blocking query on a client returns when another agent writes.
  const first = await getText(c2.httpPort, '/v1/kv/cli/greeting');
  const index = Number(first.headers.get('x-consul-index'));
  const blocked = getText(c2.httpPort, `/v1/kv/cli/greeting?index=${index}&wait=30s`, {}, 40_000);
  await new Promise((r) => setTimeout(r, 300));
  await concord(['kv', 'put', 'cli/greeting', 'again'], addr(servers[2] as { httpPort: number }));
  const woke = await blocked;
  t.true(Number(woke.headers.get('x-consul-index')) > index);
  const [entry] = JSON.parse(woke.text) as { Value: string }[];
  t.is(Buffer.from(entry?.Value ?? '', 'base64').toString(), 'again');

  // info shows the raft and serf sections on a server.
  const info = await concord(['info'], addr(servers[0] as { httpPort: number }));
  t.regex(info.stdout, /raft:\n(\t.*\n)*\tnum_peers = 2\n/);
  t.regex(info.stdout, /serf_lan:\n(\t.*\n)*\tmembers = 5\n/);

  // A client that leaves is `left` and its node leaves the catalog.
  const leave = await concord(['leave'], addr(c2));
  t.is(leave.code, 0, leave.stderr);
  await until(
    async () => {
      const r = await concord(['members'], addr(c1));
      return r.stdout.split('\n').some((l) => l.startsWith(c2.name) && /\sleft\s/.test(l));
    },
    15_000,
    `${c2.name} to be left`,
  );
  await until(async () => (await getText(servers[0]?.httpPort ?? 0, `/v1/catalog/node/${c2.name}`)).text === 'null', 15_000, `${c2.name} out of the catalog`);
  t.pass();
});
