import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryNetwork, RaftNode, WalStorage } from '../src/index.js';
import { KvMachine, waitFor } from './_kv-machine.js';

const child = join(dirname(fileURLToPath(import.meta.url)), '_wal-durability-child.js');

/** Runs the writing child on `dir` until it acknowledged `acks` writes past `from`, then kills it with SIGKILL. */
function writeUntilKilled(dir: string, acks: number, into: Map<number, string>): Promise<void> {
  const start = into.size;
  return new Promise<void>((resolve, reject) => {
    const p = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    let buf = '';
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        const [, _index, value] = l.split(' ');
        into.set(Number(value), value!);
      }
      if (into.size - start >= acks && !p.killed) p.kill('SIGKILL');
    });
    p.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    p.on('error', reject);
  });
}

test('WalStorage loses no acknowledged write when the writing process is killed with SIGKILL, again and again', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-ts-wal-kill-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const acked = new Map<number, string>();
  // Each round restarts on the log the previous kill left (mid-write, mid-rollover or mid-snapshot).
  for (const acks of [2500, 1500, 1500]) await writeUntilKilled(dir, acks, acked);
  t.true(acked.size >= 2500, `${acked.size} writes acknowledged`);
  t.true((await readdir(dir)).filter((f) => f.endsWith('.wal')).length >= 1);
  const sm = new KvMachine();
  const node = await RaftNode.start({
    id: 'solo',
    storage: await WalStorage.open(dir, { segmentBytes: 64 * 1024 }),
    transport: new MemoryNetwork().transport('solo'),
    stateMachine: sm,
    tickMs: 10,
  });
  t.teardown(() => node.stop());
  await waitFor(() => node.isLeader(), 10_000, 'the restarted node to lead');
  await node.propose(new TextEncoder().encode('marker=1'));
  let missing = 0;
  for (const value of acked.values()) if (sm.map.get(`k${value}`) !== value) missing++;
  t.is(missing, 0, 'every acknowledged write is in the restarted state machine');
});
