/**
 * Commands other than `agent`, `registrator` and `template` load only @concord/api and the
 * flag parser: every resolved module of a run is recorded, and none may belong to a heavy
 * package. The agent and registrator commands are the controls that the recorder sees them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { type CliResult, type RunningAgent, runCli, startAgent } from './_agent.js';

const PRELOAD = new URL('./_record-modules.js', import.meta.url).href;

/** Packages a light command must not load, as they appear in resolved module URLs. */
const HEAVY = [
  '/node_modules/@grpc/grpc-js/',
  '/node_modules/@grpc/proto-loader/',
  '/node_modules/level/',
  '/node_modules/dockerode/',
  '/node_modules/dns2/',
  '/node_modules/pino/',
  '/node_modules/@peculiar/x509/',
  '/packages/agent/',
  '/packages/registrator/',
  '/packages/template/',
];

const dir = mkdtempSync(join(tmpdir(), 'concord-modules-'));
let agent: RunningAgent;

test.before(async () => {
  agent = await startAgent();
});

test.after.always(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let runs = 0;

/** Runs concord with the recorder preloaded; resolves its result and the resolved module URLs. */
async function recorded(args: readonly string[], addr?: string): Promise<{ res: CliResult; modules: string[] }> {
  const log = join(dir, `modules-${runs++}.log`);
  const res = await runCli(args, {
    ...(addr ? { addr } : {}),
    env: { NODE_OPTIONS: `--import=${PRELOAD}`, CONCORD_MODULE_LOG: log },
  });
  return {
    res,
    modules: readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l !== ''),
  };
}

function heavyIn(modules: readonly string[]): string[] {
  return [...new Set(HEAVY.filter((h) => modules.some((m) => m.includes(h))))];
}

for (const args of [
  ['version'],
  ['kv', 'get', '-recurse'],
  ['members'],
  ['catalog', 'services'],
  ['rtt', 'x', 'y'],
  [],
  ['agent', '-h'],
  ['registrator', '-h'],
  ['template', '-h'],
  ['lock', '-h'],
  ['watch', '-h'],
]) {
  test(`concord ${args.join(' ') || '(the command list)'} loads no heavy package`, async (t) => {
    const { res, modules } = await recorded(args, agent.httpAddr);
    t.true(
      modules.some((m) => m.includes('/packages/cli/')),
      'the recorder saw the CLI load',
    );
    t.deepEqual(heavyIn(modules), [], res.stderr);
  });
}

test('concord kv get loads the API client and answers from the agent', async (t) => {
  await runCli(['kv', 'put', 'light/key', 'v'], { addr: agent.httpAddr });
  const { res, modules } = await recorded(['kv', 'get', 'light/key'], agent.httpAddr);
  t.is(res.stdout, 'v\n');
  t.true(modules.some((m) => m.includes('/packages/api/')));
  t.deepEqual(heavyIn(modules), []);
});

test('the agent and registrator commands do load their heavy packages (the recorder sees them)', async (t) => {
  const agentRun = await recorded(['agent', '-no-such-flag']);
  t.is(agentRun.res.code, 1);
  t.true(heavyIn(agentRun.modules).includes('/node_modules/@grpc/grpc-js/'));
  const sidecarRun = await recorded(['registrator', '-deregister=never', 'consul://127.0.0.1:1']);
  t.is(sidecarRun.res.code, 1);
  t.true(heavyIn(sidecarRun.modules).includes('/node_modules/dockerode/'));
});
