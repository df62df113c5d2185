import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { runCli, startAgent } from './_agent.js';

test('maint enables and disables node and service maintenance and lists what is in maintenance', async (t) => {
  const agent = await startAgent();
  t.teardown(() => agent.stop());
  const addr = agent.httpAddr;
  t.is((await runCli(['services', 'register', '-name', 'web', '-id', 'web1', '-port', '80'], { addr })).code, 0);

  t.is((await runCli(['maint'], { addr })).stdout, '');
  const node = await runCli(['maint', '-enable', '-reason', 'kernel upgrade'], { addr });
  t.is(node.code, 0, node.stderr);
  t.is(node.stdout, 'Node maintenance is now enabled\n');
  const svc = await runCli(['maint', '-enable', '-service', 'web1'], { addr });
  t.is(svc.stdout, 'Service maintenance is now enabled for "web1"\n');

  const listed = await runCli(['maint'], { addr });
  t.true(listed.stdout.includes(`Node:\n  Name:   ${agent.node}\n  Reason: kernel upgrade\n`), listed.stdout);
  t.regex(listed.stdout, /Service:\n {2}ID: {5}web1\n {2}Reason: .+\n/);
  const health = (await (await fetch(`http://${addr}/v1/health/service/web?passing`)).json()) as unknown[];
  t.is(health.length, 0, 'a service in maintenance is not passing');

  t.is((await runCli(['maint', '-disable', '-service', 'web1'], { addr })).stdout, 'Service maintenance is now disabled for "web1"\n');
  t.is((await runCli(['maint', '-disable'], { addr })).stdout, 'Node maintenance is now disabled\n');
  t.is((await runCli(['maint'], { addr })).stdout, '');
});

test('maint refuses conflicting flags and an unknown service', async (t) => {
  const agent = await startAgent();
  t.teardown(() => agent.stop());
  const addr = agent.httpAddr;
  const both = await runCli(['maint', '-enable', '-disable'], { addr });
  t.is(both.code, 1);
  t.is(both.stderr, 'Only one of -enable or -disable may be provided\n');
  const reason = await runCli(['maint', '-disable', '-reason', 'x'], { addr });
  t.is(reason.code, 1);
  t.is(reason.stderr, 'Error: -reason may only be provided with -enable\n');
  const unknown = await runCli(['maint', '-enable', '-service', 'nope'], { addr });
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /^Error enabling maintenance mode: .*nope/);
});

test('reload applies the services of changed config files', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'concord-reload-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'services.json');
  writeFileSync(file, JSON.stringify({ services: [{ name: 'alpha', port: 1 }] }));
  const agent = await startAgent(['-config-file', file]);
  t.teardown(() => agent.stop());
  const addr = agent.httpAddr;
  const names = async () => Object.values((await (await fetch(`http://${addr}/v1/agent/services`)).json()) as Record<string, { Service: string }>).map((s) => s.Service).sort();
  t.deepEqual(await names(), ['alpha']);
  writeFileSync(file, JSON.stringify({ services: [{ name: 'beta', port: 2 }] }));
  const r = await runCli(['reload'], { addr });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'Configuration reload triggered\n');
  t.deepEqual(await names(), ['beta']);
  t.is((await runCli(['reload', 'extra'], { addr })).code, 1);
});
