/**
 * Finding 2 of the hostile-input review: Raft accepted messages from anyone, so one heartbeat with
 * a made-up sender and a higher term deposed the leader. A real server must drop them, count them
 * and log them (rate-limited).
 */
import { readFileSync } from 'node:fs';
import test from 'ava';
import { GrpcTransport } from 'raft-ts/grpc';
import { ProcessCluster, getText, until } from './_process-cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Self {
  Config: { NodeID: string };
  Stats: { raft: { term: string; state: string } };
}

test('a forged raft heartbeat, append, vote or timeoutNow with a higher term from a non-member neither deposes the leader nor raises its term', async (t) => {
  const c = new ProcessCluster(t);
  // Prometheus output is on only with a retention time, as in Consul.
  const [server] = await c.startServers(1, { config: { telemetry: { prometheus_retention_time: '60s' } } });
  const s = server!;
  const self = async (): Promise<Self> => JSON.parse((await getText(s.httpPort, '/v1/agent/self')).text) as Self;
  const before = await self();
  t.is(before.Stats.raft.state, 'Leader');
  const term = Number(before.Stats.raft.term);
  const leaderId = before.Config.NodeID;

  const intruder = new GrpcTransport({ id: 'intruder', listen: '127.0.0.1:0', peers: { [leaderId]: `127.0.0.1:${s.rpcPort}` } });
  await intruder.start({ onMessage: () => undefined, onUnreachable: () => undefined, onSnapshotStatus: () => undefined });
  t.teardown(() => intruder.close());
  const forged = { from: 'intruder', to: leaderId, logTerm: term + 1000, index: 1_000_000, entries: [], commit: 0, reject: false, rejectHint: 0, context: '' };
  for (let round = 0; round < 5; round++) {
    for (const type of ['heartbeat', 'app', 'vote', 'preVote', 'timeoutNow'] as const) intruder.send({ ...forged, type, term: term + 1000 + round });
    await sleep(200);
  }
  // The dropped messages are counted: once they show, every one of them has been handled.
  const dropped = await until(
    async () => {
      const m = (await getText(s.httpPort, '/v1/agent/metrics?format=prometheus')).text;
      const n = Number(/^concord_raft_non_member_messages_dropped (\d+)/m.exec(m)?.[1] ?? 0);
      return n >= 25 ? n : undefined;
    },
    10_000,
    'the forged messages to be counted as dropped',
  );
  t.is(dropped, 25);

  const after = await self();
  t.is(after.Stats.raft.state, 'Leader');
  t.is(Number(after.Stats.raft.term), term, 'the term did not move');
  const put = await getText(s.httpPort, '/v1/kv/still-writable', { method: 'PUT', body: 'yes' });
  t.is(put.text, 'true');
  // Logged once for the burst (rate-limited), naming the sender.
  const lines = s.log.split('\n').filter((l) => l.includes('outside the raft configuration'));
  t.is(lines.length, 1, lines.join('\n'));
  t.regex(lines[0]!, /intruder/);
});

test('a raft message larger than the gRPC cap is refused by the server port without being buffered', async (t) => {
  const c = new ProcessCluster(t);
  const [server] = await c.startServers(1);
  const s = server!;
  const self = async (): Promise<Self> => JSON.parse((await getText(s.httpPort, '/v1/agent/self')).text) as Self;
  const leaderId = (await self()).Config.NodeID;
  const hwm = (): number => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${s.child!.pid}/status`, 'utf8'))?.[1] ?? 0);
  const before = hwm();
  // The sender allows itself 512 MiB; the server's cap (64 MiB plus the snapshot limit's room) must refuse it.
  const big = new GrpcTransport({ id: 'big-sender', listen: '127.0.0.1:0', peers: { [leaderId]: `127.0.0.1:${s.rpcPort}` }, maxMessageBytes: 512 * 1024 * 1024 });
  let unreachable = 0;
  await big.start({ onMessage: () => undefined, onUnreachable: () => void unreachable++, onSnapshotStatus: () => undefined });
  t.teardown(() => big.close());
  const entry = { term: 1, index: 1, type: 'normal' as const, data: new Uint8Array(200 * 1024 * 1024) };
  big.send({ type: 'app', from: 'big-sender', to: leaderId, term: 1, logTerm: 0, index: 0, entries: [entry], commit: 0, reject: false, rejectHint: 0, context: '' });
  await until(async () => unreachable > 0 || undefined, 30_000, 'the send to fail');
  const grownMiB = (hwm() - before) / 1024;
  t.true(grownMiB < 100, `server peak RSS grew by ${grownMiB.toFixed(0)} MiB`);
  t.is((await self()).Stats.raft.state, 'Leader');
});
