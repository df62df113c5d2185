import test from 'ava';
import { type RunningAgent, runCli, startAgent } from './_agent.js';

const DEFAULT_SERVICE_REASON = 'Maintenance mode is enabled for this service, but no reason was provided. This is a default message.';

let agent: RunningAgent;
test.before(async () => {
  agent = await startAgent();
});
test.after.always(() => agent?.stop());

const maint = (...args: string[]) => runCli(['maint', ...args], { addr: agent.httpAddr });

test.serial('maint enables and disables node and service maintenance and lists what is in maintenance', async (t) => {
  for (const id of ['web2', 'web1']) {
    const r = await runCli(['services', 'register', '-name', 'web', '-id', id, '-port', '80'], { addr: agent.httpAddr });
    t.is(r.code, 0, r.stderr);
  }
  t.like(await maint(), { code: 0, stdout: '' });

  t.like(await maint('-enable', '-reason', 'kernel upgrade'), { code: 0, stdout: 'Node maintenance is now enabled\n' });
  t.like(await maint('-enable', '-service', 'web2'), { code: 0, stdout: 'Service maintenance is now enabled for "web2"\n' });
  t.like(await maint('-enable', '-service=web1', '-reason=rollout'), { code: 0, stdout: 'Service maintenance is now enabled for "web1"\n' });

  const listed = await maint();
  t.is(listed.code, 0, listed.stderr);
  t.is(
    listed.stdout,
    `Node:\n  Name:   ${agent.node}\n  Reason: kernel upgrade\n\n` +
      'Service:\n  ID:     web1\n  Reason: rollout\n\n' +
      `Service:\n  ID:     web2\n  Reason: ${DEFAULT_SERVICE_REASON}\n\n`,
  );
  const health = (await (await fetch(`http://${agent.httpAddr}/v1/health/service/web?passing`)).json()) as unknown[];
  t.is(health.length, 0, 'services in maintenance are not passing');

  t.like(await maint('-disable', '-service', 'web1'), { code: 0, stdout: 'Service maintenance is now disabled for "web1"\n' });
  t.like(await maint('-disable', '-service', 'web2'), { code: 0, stdout: 'Service maintenance is now disabled for "web2"\n' });
  t.like(await maint('-disable'), { code: 0, stdout: 'Node maintenance is now disabled\n' });
  t.like(await maint(), { code: 0, stdout: '' });
});

test('maint refuses conflicting flags with one line and exit 1', async (t) => {
  t.like(await maint('-enable', '-disable'), { code: 1, stdout: '', stderr: 'Only one of -enable or -disable may be provided\n' });
  t.like(await maint('-disable', '-reason', 'x'), { code: 1, stderr: 'Reason may only be provided with -enable\n' });
  t.like(await maint('-service', 'web1'), { code: 1, stderr: 'Service requires either -enable or -disable\n' });
  const extra = await maint('now');
  t.is(extra.code, 1);
  t.is(extra.stderr.split('\n').length, 2, extra.stderr);
});

test('maint reports an unknown service with the agent error', async (t) => {
  t.like(await maint('-enable', '-service', 'nope'), {
    code: 1,
    stderr: 'Error enabling service maintenance: Unexpected response code: 404 (No service registered with ID "nope")\n',
  });
  t.like(await maint('-disable', '-service', 'nope'), {
    code: 1,
    stderr: 'Error disabling service maintenance: Unexpected response code: 404 (No service registered with ID "nope")\n',
  });
});

test('maint without a reachable agent fails with one line', async (t) => {
  const r = await runCli(['maint'], { addr: '127.0.0.1:1' });
  t.is(r.code, 1);
  t.regex(r.stderr, /^Error querying the agent: .+\n$/);
});
