import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { parseArgs } from '../src/sim/index.js';

const bin = fileURLToPath(new URL('../../bin/gossip-sim.js', import.meta.url));
const run = promisify(execFile);

test('gossip-sim ends with the one-line summary', async (t) => {
  const { stdout } = await run(process.execPath, [bin, '--nodes', '20', '--loss', '0.02', '--seed', '3', '--config', 'local']);
  const lines = stdout.trim().split('\n');
  t.regex(
    lines.at(-1) ?? '',
    /^nodes 20, loss 0\.02: detect p50 \d+\.\d{3}s p99 \d+\.\d{3}s, all-know-join p99 \d+\.\d{3}s, false positives \d+$/,
  );
  t.regex(lines[0] ?? '', /config local/);
});

test('gossip-sim rejects unknown flags and more than 1,000 nodes', (t) => {
  t.throws(() => parseArgs(['--bogus']), { code: 'GOSSIP_CONFIG' } as never);
  t.throws(() => parseArgs(['--nodes', '1001']), { code: 'GOSSIP_CONFIG' } as never);
  t.throws(() => parseArgs(['--config', 'wan']), { code: 'GOSSIP_CONFIG' } as never);
  t.like(parseArgs(['--nodes=50', '--loss', '0.1', '--seed', '9']), { nodes: 50, loss: 0.1, seed: 9, config: 'lan' });
});
