import test from 'ava';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { raftSim } from './_raft-sim.js';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'known-seeds.txt');
const seeds = readFileSync(file, 'utf8')
  .split('\n')
  .map((l) => l.replace(/#.*/, '').trim())
  .filter(Boolean);

for (const seed of seeds) {
  test(`seed ${seed}, which once failed, now runs without violations`, (t) => {
    const r = raftSim(['--seeds', '1', '--first-seed', seed]);
    t.is(r.lastLine, '1 seeds, 0 violations', r.stdout.slice(-3000));
  });
}
