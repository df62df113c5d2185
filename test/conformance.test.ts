/**
 * Runs the shared black-box conformance check against a fresh `-dev` agent and
 * through a client agent of a three-server cluster, and requires every check,
 * DNS included, to pass. The check is not part of this repository: it is read
 * from CONCORD_CONFORMANCE_DIR or from ../shared/conformance beside the
 * repository, and these tests are skipped (with that path in their title) when
 * neither exists.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { ROOT, startDevAgent } from './_agent.js';
import { ProcessCluster, getText, until } from './_process-cluster.js';

const run = promisify(execFile);
const SOURCE = resolve(process.env.CONCORD_CONFORMANCE_DIR ?? join(ROOT, '..', 'shared', 'conformance'));
const present = existsSync(join(SOURCE, 'run.mjs'));

/** One copy of the conformance check with its dependencies installed, shared by the tests. */
let prepared: Promise<{ dir: string; selected: string[] }> | undefined;
let preparedDir: string | undefined;
test.after.always(async () => {
  if (preparedDir) await rm(preparedDir, { recursive: true, force: true });
});
function prepare(): Promise<{ dir: string; selected: string[] }> {
  prepared ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'concord-conformance-'));
    preparedDir = dir;
    await cp(SOURCE, dir, {
      recursive: true,
      filter: (src) => !src.split(/[\\/]/).includes('node_modules'),
      mode: 0,
    });
    await run('chmod', ['-R', 'u+w', dir]);
    await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, timeout: 180_000 });
    const { stdout: listing } = await run(process.execPath, ['run.mjs', '--list'], { cwd: dir });
    const selected = listing
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    return { dir, selected };
  })();
  return prepared;
}

/** Runs every check against the agent at `httpAddr` (DNS on `dnsPort`); all must pass. */
async function conform(t: ExecutionContext, httpAddr: string, dnsPort: number): Promise<void> {
  const { dir, selected } = await prepare();
  t.true(selected.length > 0, 'the conformance check lists no checks');
  const env = { ...process.env, CONSUL_HTTP_ADDR: httpAddr, DNS_ADDR: `127.0.0.1:${dnsPort}` };
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
}

if (!present) {
  test.skip(`conformance check (not found at ${SOURCE})`, () => {});
} else {
  test('every conformance check, DNS included, passes against a dev agent', async (t) => {
    t.timeout(300_000);
    const agent = await startDevAgent(t, { dns: true });
    await conform(t, agent.httpAddr, agent.dnsPort);
  });

  test('every conformance check passes through a client agent of a three-server cluster', async (t) => {
    t.timeout(300_000);
    const cluster = new ProcessCluster(t);
    const servers = await cluster.startServers(3);
    const client = await cluster.startClient({ join: servers[1], dns: true });
    await until(async () => JSON.parse((await getText(client.httpPort, '/v1/status/leader')).text) !== '', 15_000, 'the client to find the servers');
    await conform(t, `127.0.0.1:${client.httpPort}`, client.dnsPort);
  });
}
