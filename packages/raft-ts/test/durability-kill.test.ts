import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LevelStorage } from '../src/level.js';

const child = join(dirname(fileURLToPath(import.meta.url)), '_durability-child.js');

test('no acknowledged entry is lost when the process is killed with SIGKILL', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-ts-kill-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const acked = new Map<number, string>();
  await new Promise<void>((resolve, reject) => {
    const p = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        const [, index, value] = l.split(' ');
        acked.set(Number(index), value!);
      }
      if (acked.size >= 3000 && !p.killed) p.kill('SIGKILL');
    });
    p.on('exit', () => resolve());
    p.on('error', reject);
  });
  t.true(acked.size >= 3000);
  const s = await LevelStorage.open(dir);
  t.teardown(() => s.close());
  const last = s.lastIndex();
  const hs = s.initialState().hardState;
  let checked = 0;
  const dec = new TextDecoder();
  for (const [index, value] of acked) {
    t.true(index <= last, `acknowledged index ${index} is in the log (last ${last})`);
    t.true(index <= hs.commit, `acknowledged index ${index} is within the durable commit ${hs.commit}`);
    const e = s.entries(index, index + 1, 1e9)[0]!;
    if (dec.decode(e.data) !== `k${value}=${value}`) t.fail(`entry ${index} differs from what was acknowledged`);
    checked++;
  }
  t.is(checked, acked.size);
});
