import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryNetwork, RaftNode } from '../src/index.js';
import { LevelStorage } from '../src/level.js';
import { KvMachine, waitFor } from './_kv-machine.js';

const child = join(dirname(fileURLToPath(import.meta.url)), '_snapshot-kill-child.js');

test('a process killed (SIGKILL) while writing a snapshot restarts from the previous snapshot and the whole log, with every acknowledged write', async (t) => {
  t.timeout(60_000);
  const dir = await mkdtemp(join(tmpdir(), 'raft-ts-snapkill-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const acked = new Set<string>();
  let stored = 0;
  let secondCapture = 0;
  let ackedDuringSnapshot = 0;
  let filesBeforeKill: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const p = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const killer = setTimeout(() => p.kill('SIGKILL'), 45_000);
    let buf = '';
    let pieceWritten = false;
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        const [what, a, b] = l.split(' ');
        if (what === 'ack') {
          acked.add(b!);
          if (pieceWritten) ackedDuringSnapshot++;
        } else if (what === 'stored') stored = Number(a);
        else if (what === 'capture' && a === '2') secondCapture = Number(b);
        else if (what === 'piece') pieceWritten = true;
      }
      if (ackedDuringSnapshot >= 1000 && !p.killed) {
        void readdir(join(dir, 'snapshots')).then((files) => {
          filesBeforeKill = files;
          p.kill('SIGKILL');
        });
      }
    });
    p.on('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    p.on('error', reject);
  });
  t.true(stored > 0, 'the first snapshot was stored');
  t.true(secondCapture > stored, `a second snapshot was captured (at ${secondCapture})`);
  t.true(ackedDuringSnapshot >= 1000, `writes went on while it was written (${ackedDuringSnapshot})`);
  t.is(filesBeforeKill.length, 2, `the stored snapshot's file and the one being written: ${filesBeforeKill.join(', ')}`);

  const s = await LevelStorage.open(dir);
  t.is(s.snapshot().meta.index, stored, 'the previous snapshot is the current one');
  t.is(s.firstIndex(), stored - 50 + 1, 'the log is as that snapshot left it');
  t.deepEqual(
    await readdir(join(dir, 'snapshots')),
    filesBeforeKill.filter((f) => f.startsWith(stored.toString(16).padStart(16, '0'))),
    'the partial file is gone',
  );
  await s.close();

  const sm = new KvMachine();
  const node = await RaftNode.start({ id: 'solo', storage: await LevelStorage.open(dir), transport: new MemoryNetwork().transport('solo'), stateMachine: sm, tickMs: 10 });
  t.teardown(() => node.stop());
  node.campaign();
  await waitFor(() => node.isLeaderReady(), 10_000, 'the restarted node to lead and apply its log');
  let missing = 0;
  for (const v of acked) if (sm.map.get(`k${v}`) !== v) missing++;
  t.is(missing, 0, `every acknowledged write is in the restarted state machine (${acked.size} acknowledged)`);
});
