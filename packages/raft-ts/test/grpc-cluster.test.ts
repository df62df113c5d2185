import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RaftNode } from '../src/index.js';
import { GrpcTransport } from '../src/grpc.js';
import { LevelStorage } from '../src/level.js';
import { KvMachine, cmd, waitFor } from './_kv-machine.js';

interface Server {
  id: string;
  dir: string;
  port: number;
  node: RaftNode<number> | undefined;
  sm: KvMachine;
}

const IDS = ['s1', 's2', 's3'];

async function startServer(s: Server, peers: Record<string, string>): Promise<void> {
  const transport = new GrpcTransport({ id: s.id, listen: `127.0.0.1:${s.port}`, peers });
  s.sm = new KvMachine();
  s.node = await RaftNode.start({
    id: s.id,
    storage: await LevelStorage.open(s.dir),
    transport,
    stateMachine: s.sm,
    bootstrap: IDS,
    tickMs: 20,
    snapshotThreshold: 2000,
    trailingLogs: 200,
  });
  s.port = transport.port;
}

async function stopServer(s: Server): Promise<void> {
  const n = s.node;
  s.node = undefined;
  await n?.stop();
}

test('three nodes over gRPC with LevelStorage elect, replicate 10,000 entries, survive restarts and agree', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'raft-ts-grpc-'));
  const servers: Server[] = IDS.map((id) => ({ id, dir: join(base, id), port: 0, node: undefined, sm: new KvMachine() }));
  t.teardown(async () => {
    for (const s of servers) await stopServer(s);
    await rm(base, { recursive: true, force: true });
  });

  // Bind every server first (port 0), then tell each the others' addresses.
  const probes = await Promise.all(
    servers.map(async (s) => {
      const tr = new GrpcTransport({ id: s.id, listen: '127.0.0.1:0' });
      await tr.start({ onMessage() {}, onUnreachable() {}, onSnapshotStatus() {} });
      s.port = tr.port;
      await tr.close();
    }),
  );
  t.is(probes.length, 3);
  const peers = (): Record<string, string> => Object.fromEntries(servers.map((s) => [s.id, `127.0.0.1:${s.port}`]));
  for (const s of servers) await startServer(s, peers());

  const leaderOf = async (): Promise<Server> => {
    let l: Server | undefined;
    await waitFor(() => (l = servers.find((s) => s.node?.isLeader())) !== undefined, 15_000, 'a leader');
    return l!;
  };
  const proposeMany = async (from: number, to: number): Promise<void> => {
    let next = from;
    const worker = async (): Promise<void> => {
      while (next < to) {
        const i = next++;
        for (;;) {
          const l = await leaderOf();
          try {
            await l.node!.propose(cmd(`k${i % 500}=${i}`));
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 20));
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
  };

  let leader = await leaderOf();
  await proposeMany(0, 10_000);
  const commit = leader.node!.status().commit;
  await waitFor(() => servers.every((s) => s.node!.status().applied >= commit), 20_000, 'every node to apply 10,000 entries');
  t.deepEqual(servers[1]!.sm.map, leader.sm.map);

  // Stop a follower, keep writing past a snapshot, restart it: it catches up by snapshot.
  const follower = servers.find((s) => s !== leader)!;
  await stopServer(follower);
  await proposeMany(10_000, 13_000);
  await startServer(follower, peers());
  leader = await leaderOf();
  await waitFor(() => follower.node!.status().applied >= leader.node!.status().commit, 20_000, 'the follower to catch up');
  t.true(follower.node!.metrics.snapshotsInstalled > 0, 'the restarted follower installed a snapshot');

  // Stop the leader: the others elect a new one; restart it and it rejoins.
  const oldLeader = leader;
  await stopServer(oldLeader);
  await waitFor(() => servers.some((s) => s !== oldLeader && s.node?.isLeader()), 15_000, 'a new leader');
  await proposeMany(13_000, 14_000);
  await startServer(oldLeader, peers());
  leader = await leaderOf();
  const final = await leader.node!.propose(cmd('final=1'));
  await waitFor(() => servers.every((s) => s.node!.status().applied >= final.index), 20_000, 'every node to apply the final entry');

  // Agreement: identical state machines; every acknowledged key has its last value.
  const ref = leader.sm.map;
  for (const s of servers) t.deepEqual(s.sm.map, ref, `${s.id} agrees with the leader`);
  t.is(ref.get('final'), '1');
  t.is(ref.get('k499'), String(13_999 - ((13_999 - 499) % 500)));
});
