import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/_raft-sim.js -> packages/raft-ts/bin/raft-sim.js
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'raft-sim.js');

export interface SimRun {
  status: number | null;
  stdout: string;
  lastLine: string;
}

/** Run the built raft-sim binary as CI would. */
export function raftSim(args: readonly string[]): SimRun {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const lines = r.stdout.trimEnd().split('\n');
  return { status: r.status, stdout: r.stdout, lastLine: lines[lines.length - 1] ?? '' };
}
