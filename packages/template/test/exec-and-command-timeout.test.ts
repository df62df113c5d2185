import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { eventually } from '@concord/testkit';
import { sharedAgent, startTemplate, tempDirFor } from './_cli.js';

const shared = sharedAgent(test);
const read = (p: string): string => (existsSync(p) ? readFileSync(p, 'utf8') : '');

test('-exec starts the child after the first render, signals it on changes, and exits with its code', async (t) => {
  const dir = tempDirFor((fn) => t.teardown(fn));
  const events = join(dir, 'events');
  const child = `trap 'echo reload >> ${events}' HUP; trap 'echo stop >> ${events}; exit 0' TERM; echo start >> ${events}; while true; do sleep 0.1; done`;
  writeFileSync(join(dir, 'in'), '{{ keyOrDefault "exec/v" "none" }}');
  const proc = startTemplate(['-template', `${join(dir, 'in')}:${join(dir, 'out')}`, '-exec', child, '-exec-reload-signal', 'SIGHUP'], shared.agent().httpAddr, dir, (fn) =>
    t.teardown(fn),
  );
  await eventually(async () => read(events) === 'start\n', 60_000, 'child started');
  t.is(read(join(dir, 'out')), 'none', 'after the first render');
  await shared.api().kv.put('exec/v', 'one');
  await eventually(async () => read(events) === 'start\nreload\n', 60_000, 'child reloaded');
  t.is(read(join(dir, 'out')), 'one');
  t.is(await proc.stop('SIGTERM'), 0);
  t.is(read(events), 'start\nreload\nstop\n', 'the child got the exec kill signal');

  writeFileSync(join(dir, 'in2'), 'x');
  const exiting = startTemplate(['-template', `${join(dir, 'in2')}:${join(dir, 'out2')}`, '-exec', 'exit 7'], shared.agent().httpAddr, dir, (fn) => t.teardown(fn));
  t.is(await exiting.exited(), 7);
});

test('-exec without a reload signal restarts the child when a template changes', async (t) => {
  const dir = tempDirFor((fn) => t.teardown(fn));
  const events = join(dir, 'events');
  writeFileSync(join(dir, 'in'), '{{ keyOrDefault "exec/r" "none" }}');
  const proc = startTemplate(['-template', `${join(dir, 'in')}:${join(dir, 'out')}`, '-exec', `echo start >> ${events}; exec sleep 60`], shared.agent().httpAddr, dir, (fn) =>
    t.teardown(fn),
  );
  await eventually(async () => read(events) === 'start\n', 60_000, 'child started');
  await shared.api().kv.put('exec/r', 'changed');
  await eventually(async () => read(events) === 'start\nstart\n', 60_000, 'child restarted');
  t.is(await proc.stop('SIGINT'), 0);
});

test('a command that outlives command_timeout is killed and the runner goes on', async (t) => {
  const dir = tempDirFor((fn) => t.teardown(fn));
  const hcl = join(dir, 'ct.hcl');
  writeFileSync(
    hcl,
    `template {
  contents = "{{ keyOrDefault \\"slow/v\\" \\"a\\" }}"
  destination = "${join(dir, 'out')}"
  command = "sleep 30"
  command_timeout = "300ms"
}
`,
  );
  const proc = startTemplate(['-config', hcl, '-log-level', 'info'], shared.agent().httpAddr, dir, (fn) => t.teardown(fn));
  await eventually(async () => /command "sleep 30" timed out after 300 ms/.test(proc.output()), 60_000, 'timeout logged');
  await shared.api().kv.put('slow/v', 'b');
  await eventually(async () => read(join(dir, 'out')) === 'b', 60_000, 'still rendering after the timeout');
  t.is(await proc.stop('SIGTERM'), 0);
});
