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
  t.regex(lines.at(-1) ?? '', /^nodes 20, loss 0\.02: detect p50 \d+\.\d{3}s p99 \d+\.\d{3}s, all-know-join p99 \d+\.\d{3}s, false positives \d+$/);
  t.regex(lines[0] ?? '', /config local/);
});

test('gossip-sim runs the WAN profile: slower probes still detect every kill', async (t) => {
  const { stdout } = await run(process.execPath, [bin, '--nodes', '12', '--loss', '0.02', '--seed', '5', '--config', 'wan', '--kills', '2']);
  const lines = stdout.trim().split('\n');
  t.regex(lines[0] ?? '', /config wan/);
  const m = /detect p50 (\d+\.\d{3})s p99 (\d+\.\d{3})s/.exec(lines.at(-1) ?? '');
  t.truthy(m, stdout);
  // DefaultWANConfig probes every 5 s with a 3 s timeout: detection takes longer than a LAN second.
  t.true(Number(m?.[1]) > 5, stdout);
});

test('gossip-sim rejects unknown flags and more than 1,000 nodes', (t) => {
  t.throws(() => parseArgs(['--bogus']), { code: 'GOSSIP_CONFIG' } as never);
  t.throws(() => parseArgs(['--nodes', '1001']), { code: 'GOSSIP_CONFIG' } as never);
  t.throws(() => parseArgs(['--config', 'metro']), { code: 'GOSSIP_CONFIG' } as never);
  t.like(parseArgs(['--config', 'wan']), { config: 'wan', datacenters: 1 });
  t.like(parseArgs(['--config', 'wan', '--datacenters', '10', '--nodes', '30']), { config: 'wan', datacenters: 10, nodes: 30 });
  t.like(parseArgs(['--nodes=50', '--loss', '0.1', '--seed', '9']), { nodes: 50, loss: 0.1, seed: 9, config: 'lan' });
});
