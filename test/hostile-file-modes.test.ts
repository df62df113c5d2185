/**
 * Finding 9 of the hostile-input review: the raft log (every KV value), the gossip keyring and the
 * node ID were world-readable. Whatever the umask, the data dir is 0700 and every file in it 0600.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { type Proc, ProcessCluster, getText, until } from './_process-cluster.js';

/** Every path under `dir` whose mode is not 0700 (directories) or 0600 (files), and how many files were seen. */
function looseModes(dir: string): { loose: string[]; files: number } {
  const loose: string[] = [];
  let files = 0;
  const walk = (d: string): void => {
    const mode = lstatSync(d).mode & 0o777;
    if (mode !== 0o700) loose.push(`${d} ${mode.toString(8)}`);
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else {
        files++;
        if ((st.mode & 0o777) !== 0o600) loose.push(`${p} ${(st.mode & 0o777).toString(8)}`);
      }
    }
  };
  walk(dir);
  return { loose, files };
}

function namesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (lstatSync(p).isDirectory()) walk(p);
      else out.push(p.slice(dir.length + 1));
    }
  };
  walk(dir);
  return out;
}

async function exercise(server: Proc, client: Proc): Promise<void> {
  for (let i = 0; i < 50; i++) await getText(server.httpPort, `/v1/kv/modes/${i}`, { method: 'PUT', body: 'secret' });
  const reg = await getText(client.httpPort, '/v1/agent/service/register', {
    method: 'PUT',
    body: JSON.stringify({ Name: 'web', Port: 80, Check: { TTL: '30s' } }),
  });
  if (reg.status !== 200) throw new Error(`register: ${reg.status} ${reg.text}`);
}

test('with umask 000 the data dirs are 0700 and every file in them 0600: raft log segments and snapshot, keyring, node-id, local services and checks', async (t) => {
  const c = new ProcessCluster(t);
  const config = { encrypt: randomBytes(32).toString('base64'), raft_snapshot_threshold: 16, raft_snapshot_interval: '0s', raft_trailing_logs: 8 };
  const [server] = await c.startServers(1, { umask: 0, config });
  const client = await c.startClient({ umask: 0, join: server, config });
  await until(async () => JSON.parse((await getText(client.httpPort, '/v1/status/leader')).text) !== '', 20_000, 'the client to find the server');
  await exercise(server!, client);

  const serverFiles = namesUnder(server!.dataDir);
  t.true(serverFiles.includes('node-id'), serverFiles.join(', '));
  t.true(
    serverFiles.some((f) => f.startsWith('serf/') && f.endsWith('keyring')),
    serverFiles.join(', '),
  );
  t.true(
    serverFiles.some((f) => f.startsWith('raft/wal/') && f.endsWith('.wal')),
    serverFiles.join(', '),
  );
  // 50 writes past a threshold of 16: the raft snapshot's file is among those checked
  t.true(
    serverFiles.some((f) => f.startsWith('raft/wal/snapshots/') && f.endsWith('.snap')),
    serverFiles.join(', '),
  );
  const clientFiles = namesUnder(client.dataDir);
  t.true(
    clientFiles.some((f) => f.startsWith('local/services/')),
    clientFiles.join(', '),
  );
  t.true(
    clientFiles.some((f) => f.startsWith('local/checks/')),
    clientFiles.join(', '),
  );

  for (const p of [server!, client]) {
    const { loose, files } = looseModes(p.dataDir);
    t.true(files > 2);
    t.deepEqual(loose, [], `${p.name}: ${loose.join('; ')}`);
  }
});

test('a data dir left world-readable by an earlier run is tightened at start', async (t) => {
  const c = new ProcessCluster(t);
  const [server] = await c.startServers(1, { umask: 0 });
  const s = server!;
  await c.kill(s);
  chmodSync(s.dataDir, 0o755);
  mkdirSync(join(s.dataDir, 'old'), { mode: 0o755 });
  writeFileSync(join(s.dataDir, 'old', 'leftover.json'), '{}', { mode: 0o644 });
  chmodSync(join(s.dataDir, 'node-id'), 0o644);
  await c.restart(s);
  const { loose } = looseModes(s.dataDir);
  t.deepEqual(loose, []);
});
