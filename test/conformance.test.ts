/**
 * Runs the shared black-box conformance check (../shared/conformance, beside
 * the repository) against a fresh `-dev` agent and requires every non-DNS
 * check to pass. In CI a missing conformance folder is a failure.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { ROOT, startDevAgent } from './_agent.js';

const run = promisify(execFile);
const SOURCE = resolve(ROOT, '..', 'shared', 'conformance');
const IN_CI = process.env.CI === 'true';
const present = existsSync(join(SOURCE, 'run.mjs'));


if (!present && !IN_CI) {
  test.skip(`conformance check (not found at ${SOURCE})`, () => {});
} else {
  test('every conformance check, DNS included, passes against a dev agent', async (t) => {
    t.timeout(300_000);
    t.true(present, `conformance folder missing at ${SOURCE}`);
    if (!present) return;

    const dir = await mkdtemp(join(tmpdir(), 'concord-conformance-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    await cp(SOURCE, dir, {
      recursive: true,
      filter: (src) => !src.split(/[\\/]/).includes('node_modules'),
      mode: 0,
    });
    await run('chmod', ['-R', 'u+w', dir]);
    await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, timeout: 180_000 });

    const { stdout: listing } = await run(process.execPath, ['run.mjs', '--list'], { cwd: dir });
    const selected = listing.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    t.true(selected.length > 0, 'the conformance check lists no checks');

    const agent = await startDevAgent(t, { dns: true });
    const env = {
      ...process.env,
      CONSUL_HTTP_ADDR: agent.httpAddr,
      DNS_ADDR: `127.0.0.1:${agent.dnsPort > 0 ? agent.dnsPort : 8600}`,
    };
    const result = await run(process.execPath, ['run.mjs', ...selected], {
      cwd: dir,
      env,
      timeout: 150_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string; code?: number }) => ({
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? String(err),
    }));

    const verdicts = new Map<string, string>();
    for (const line of result.stdout.split('\n')) {
      const m = /^(ok|not ok) - ([^:\s]+)(.*)$/.exec(line);
      if (m) verdicts.set(m[2] as string, line);
    }
    t.log(result.stdout.trim().split('\n').at(-1));
    const failing = selected.filter((name) => !verdicts.get(name)?.startsWith('ok - '));
    const report = failing.map((name) => verdicts.get(name) ?? `not run - ${name}`).join('\n');
    t.deepEqual(failing, [], `${failing.length} of ${selected.length} checks failed:\n${report}\n${result.stderr}`);
  });
}
