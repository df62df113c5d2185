import test from 'ava';
import { concord } from './_agent.js';
import { ProcessCluster, getText, until } from './_process-cluster.js';

interface Listed {
  ID: string;
  Name: string;
  Payload: string | null;
}

test('concord event on a client reaches every agent process once; a service filter keeps it to the agents running it', async (t) => {
  const c = new ProcessCluster(t);
  const [server] = await c.startServers(1);
  if (!server) return t.fail();
  const c1 = await c.startClient({ join: server });
  const c2 = await c.startClient({ join: server });
  const all = [server, c1, c2];
  const addr = (p: { httpPort: number }) => `127.0.0.1:${p.httpPort}`;
  await until(
    async () => {
      const r = await concord(['members'], addr(c2));
      return r.stdout.trim().split('\n').length === 4 ? true : undefined;
    },
    20_000,
    'three members',
  );
  const reg = await concord(['services', 'register', '-name', 'web', '-port', '8080', '-tag', 'v1'], addr(c1));
  t.is(reg.code, 0, reg.stderr);

  const list = async (p: { httpPort: number }, name: string) => JSON.parse((await getText(p.httpPort, `/v1/event/list?name=${name}`)).text) as Listed[];

  const filtered = await concord(['event', '-name', 'to-web', '-service', '^web$', '-tag', 'v1', 'v7'], addr(c2));
  t.is(filtered.code, 0, filtered.stderr);
  const filteredId = /^Event ID: (\S+)\n$/.exec(filtered.stdout)?.[1];
  t.truthy(filteredId, filtered.stdout);

  const fired = await concord(['event', '-name', 'to-all', 'hello'], addr(c2));
  t.is(fired.code, 0, fired.stderr);
  const id = /^Event ID: (\S+)\n$/.exec(fired.stdout)?.[1];
  for (const p of all) {
    const got = await until(
      async () => {
        const events = await list(p, 'to-all');
        return events.length > 0 ? events : undefined;
      },
      15_000,
      `${p.name} to list the event`,
    );
    t.deepEqual(
      got.map((e) => [e.ID, Buffer.from(e.Payload ?? '', 'base64').toString()]),
      [[id, 'hello']],
      `${p.name} lists it once`,
    );
  }
  const kept = await until(
    async () => {
      const events = await list(c1, 'to-web');
      return events.length > 0 ? events : undefined;
    },
    15_000,
    'the agent running web to keep the filtered event',
  );
  t.deepEqual(
    kept.map((e) => e.ID),
    [filteredId],
    'the agent running web keeps it, once',
  );
  // Both events went out together and the later one is everywhere: give stragglers a few gossip rounds.
  await new Promise((r) => setTimeout(r, 1000));
  t.deepEqual(await list(server, 'to-web'), []);
  t.deepEqual(await list(c2, 'to-web'), [], 'the firing agent runs no web service, so it skips it too');
});
