import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { put, putOk, startTestAgent, tempDir, waitForStatus } from './_local-helpers.js';

test('a script check maps exit codes 0, 1 and others to passing, warning and critical', async (t) => {
  const dir = tempDir(t);
  const codeFile = join(dir, 'code');
  const script = join(dir, 'check.sh');
  writeFileSync(codeFile, '0');
  writeFileSync(script, `#!/bin/sh\ncode=$(cat "${codeFile}")\necho "out $code"\necho "err $code" >&2\nexit $code\n`);
  chmodSync(script, 0o755);
  const { base } = await startTestAgent(t, { extraArgs: ['-enable-script-checks'] });
  await putOk(t, base, '/v1/agent/service/register', { Name: 'job', Check: { Args: [script], Interval: '200ms' } });
  let c = await waitForStatus(base, 'job', 'service:job', 'passing', 1200);
  t.is(c?.Status, 'passing');
  t.is(c?.Output, 'out 0\nerr 0\n');
  writeFileSync(codeFile, '1');
  c = await waitForStatus(base, 'job', 'service:job', 'warning', 1200);
  t.is(c?.Output, 'out 1\nerr 1\n');
  writeFileSync(codeFile, '3');
  c = await waitForStatus(base, 'job', 'service:job', 'critical', 1200);
  t.is(c?.Output, 'out 3\nerr 3\n');
});

test('a script check running past its timeout is killed and critical', async (t) => {
  const { base } = await startTestAgent(t, { extraArgs: ['-enable-script-checks'] });
  await putOk(t, base, '/v1/agent/service/register', {
    Name: 'slow',
    Check: { Args: ['/bin/sh', '-c', 'sleep 5'], Interval: '200ms', Timeout: '150ms', Status: 'passing' },
  });
  const started = Date.now();
  const c = await waitForStatus(base, 'slow', 'service:slow', 'critical', 1500);
  t.is(c?.Status, 'critical');
  t.is(c?.Output, 'Timed out (150ms) running check');
  t.true(Date.now() - started < 1500);
});

test('script checks registered through the API need enable_script_checks', async (t) => {
  const { base } = await startTestAgent(t, { extraArgs: ['-enable-local-script-checks'] });
  const res = await put(base, '/v1/agent/check/register', { Name: 's', Args: ['/bin/true'], Interval: '1s' });
  t.is(res.status, 400);
  t.regex(await res.text(), /enable_script_checks/);
  const svc = await put(base, '/v1/agent/service/register', { Name: 'x', Check: { Args: ['/bin/true'], Interval: '1s' } });
  t.is(svc.status, 400);
});

test('a script check from a config file runs with enable_local_script_checks', async (t) => {
  const dir = tempDir(t);
  const cfg = join(dir, 'svc.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      enable_local_script_checks: true,
      services: [{ name: 'cron', checks: [{ id: 'cron-ok', args: ['/bin/sh', '-c', 'echo fine'], interval: '200ms' }] }],
    }),
  );
  const { base } = await startTestAgent(t, { extraArgs: ['-config-file', cfg] });
  const c = await waitForStatus(base, 'cron', 'cron-ok', 'passing', 1200);
  t.is(c?.Output, 'fine\n');
});
