import test from 'ava';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const childScript = join(dirname(fileURLToPath(import.meta.url)), '_grpc-server-child.js');
const IDS = ['s1', 's2', 's3'];

interface Reply {
  seq: number;
  isLeader?: boolean;
  applied?: number;
  commit?: number;
  snapshotsInstalled?: number;
  acked?: number[];
  final?: number;
  map?: [string, string][];
}

class Server {
  proc: ChildProcess | undefined;
  #seq = 0;
  #waiters = new Map<number, (r: Reply) => void>();
  constructor(
    readonly id: string,
    readonly dir: string,
    readonly port: number,
  ) {}

  async start(peers: Record<string, string>): Promise<void> {
    const proc = fork(childScript, [this.id, this.dir, String(this.port), JSON.stringify(peers), JSON.stringify(IDS)], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.proc = proc;
    await new Promise<void>((resolve, reject) => {
      proc.on('message', (m: Reply & { ready?: boolean }) => {
        if (m.ready) return resolve();
        const w = this.#waiters.get(m.seq);
        this.#waiters.delete(m.seq);
        w?.(m);
      });
      proc.once('exit', (code) => reject(new Error(`${this.id} exited with ${code}`)));
    });
  }

  call(cmd: string, extra: object = {}): Promise<Reply> {
    const seq = ++this.#seq;
    return new Promise((resolve) => {
      this.#waiters.set(seq, resolve);
      this.proc!.send({ seq, cmd, ...extra });
    });
  }

  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((r) => {
          const s = createServer();
          s.listen(0, '127.0.0.1', () => r(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

test('three server processes over gRPC with LevelStorage survive SIGKILL of a follower and of the leader and agree', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'raft-ts-kill-cluster-'));
  const ports = await freePorts(3);
  const servers = IDS.map((id, i) => new Server(id, join(base, id), ports[i]!));
  const peers = Object.fromEntries(servers.map((s) => [s.id, `127.0.0.1:${s.port}`]));
  t.teardown(async () => {
    for (const s of servers) await s.kill();
    await rm(base, { recursive: true, force: true });
  });
  await Promise.all(servers.map((s) => s.start(peers)));

  const up = (): Server[] => servers.filter((s) => s.proc);
  const leader = async (): Promise<Server> => {
    for (let i = 0; i < 300; i++) {
      const st = await Promise.all(up().map(async (s) => [s, await s.call('status')] as const));
      const l = st.find(([, r]) => r.isLeader);
      if (l) return l[0];
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no leader');
  };
  const acked = new Set<number>();
  let barrier = 0;
  const write = async (from: number, to: number): Promise<void> => {
    let todo = Array.from({ length: to - from }, (_, i) => from + i);
    while (todo.length > 0) {
      const l = await leader();
      const r = await l.call('propose', { values: todo });
      for (const v of r.acked!) acked.add(v);
      if (r.final) barrier = Math.max(barrier, r.final);
      todo = todo.filter((v) => !acked.has(v));
    }
  };
  const allApplied = async (index: number): Promise<void> => {
    for (let i = 0; i < 600; i++) {
      const st = await Promise.all(up().map((s) => s.call('status')));
      if (st.every((r) => (r.applied ?? 0) >= index)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`not every server applied ${index}`);
  };

  await write(0, 10_000);
  await allApplied(barrier);

  // SIGKILL a follower, write past two snapshots, restart it: it catches up by snapshot.
  const l1 = await leader();
  const victim = servers.find((s) => s !== l1)!;
  await victim.kill();
  await write(10_000, 15_000);
  await victim.start(peers);
  await allApplied(barrier);
  t.true(((await victim.call('status')).snapshotsInstalled ?? 0) > 0, 'the restarted follower installed a snapshot');

  // SIGKILL the leader: the others elect a new one and keep committing; restart it.
  const l2 = await leader();
  await l2.kill();
  await write(15_000, 16_000);
  t.not(await leader(), l2);
  await l2.start(peers);
  await write(16_000, 16_100);
  await allApplied(barrier);

  // Agreement, and every acknowledged write is there (each value has a key of its own).
  const states = await Promise.all(servers.map((s) => s.call('state')));
  for (const st of states.slice(1)) t.deepEqual(st.map, states[0]!.map);
  const map = new Map(states[0]!.map);
  let missing = 0;
  for (const v of acked) if (map.get(`k${v}`) !== String(v)) missing++;
  t.is(missing, 0, 'no acknowledged write is missing');
  t.is(acked.size, 16_100);
});
