import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { eventually } from '@concord/testkit';
import { sharedAgent, startTemplate, tempDirFor } from './_cli.js';

const shared = sharedAgent(test, async (_api) => {});

const read = (p: string): string => (existsSync(p) ? readFileSync(p, 'utf8') : '');
const lines = (p: string): number =>
  read(p)
    .split('\n')
    .filter((l) => l !== '').length;

test('writes atomically and runs the command only when the output changed; SIGHUP reloads, SIGTERM stops cleanly', async (t) => {
  const dir = tempDirFor((fn) => t.teardown(fn));
  const src = join(dir, 'up.ctmpl');
  const dest = join(dir, 'up.conf');
  const metaDest = join(dir, 'meta.txt');
  const ran = join(dir, 'ran.log');
  const pidFile = join(dir, 'ct.pid');
  writeFileSync(src, '{{range service "api"}}server {{.Address}}:{{.Port}};\n{{end}}');
  writeFileSync(join(dir, 'meta.ctmpl'), '{{range service "api"}}{{.ID}}={{.ServiceMeta.v}} {{end}}');
  const proc = startTemplate(
    ['-template', `${src}:${dest}:echo ran >> ${ran}`, '-template', `${join(dir, 'meta.ctmpl')}:${metaDest}`, '-pid-file', pidFile, '-log-level', 'debug'],
    shared.agent().httpAddr,
    dir,
    (fn) => t.teardown(fn),
  );
  // No instances yet: an empty list still renders.
  await eventually(async () => existsSync(dest), 60_000, 'first render');
  t.is(read(dest), '');
  t.is(readFileSync(pidFile, 'utf8'), String(proc.child.pid));

  await shared.api().agent.serviceRegister({ ID: 'api1', Name: 'api', Port: 9001, Meta: { v: '1' } });
  await eventually(async () => read(dest) === 'server 127.0.0.1:9001;\n', 60_000, 'api1 rendered');
  // The first (empty) render created the file and ran the command too.
  await eventually(async () => lines(ran) === 2, 60_000, 'command ran for api1');
  const inode = statSync(dest).ino;

  await shared.api().agent.serviceRegister({ ID: 'api2', Name: 'api', Port: 9002, Meta: { v: '1' } });
  await eventually(async () => read(dest) === 'server 127.0.0.1:9001;\nserver 127.0.0.1:9002;\n', 60_000, 'api2 rendered');
  await eventually(async () => lines(ran) === 3, 60_000, 'command ran for api2');
  t.not(statSync(dest).ino, inode, 'the file is replaced by a rename');

  // A change this template does not show: the other template proves the change was seen.
  const mtime = statSync(dest).mtimeMs;
  await shared.api().agent.serviceRegister({ ID: 'api2', Name: 'api', Port: 9002, Meta: { v: '2' } });
  await eventually(async () => read(metaDest) === 'api1=1 api2=2 ', 60_000, 'meta change rendered');
  await new Promise((r) => setTimeout(r, 300));
  t.is(statSync(dest).mtimeMs, mtime, 'unchanged output is not rewritten');
  t.is(lines(ran), 3, 'and its command does not run');

  await shared.api().agent.serviceDeregister('api2');
  await eventually(async () => read(dest) === 'server 127.0.0.1:9001;\n', 60_000, 'api2 gone');
  await eventually(async () => lines(ran) === 4, 60_000, 'command ran after the deregistration');

  writeFileSync(src, 'upstream {\n{{range service "api"}}server {{.Address}}:{{.Port}};\n{{end}}}\n');
  proc.child.kill('SIGHUP');
  await eventually(async () => read(dest) === 'upstream {\nserver 127.0.0.1:9001;\n}\n', 60_000, 'reloaded template rendered');

  t.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary files are left',
  );
  t.is(await proc.stop('SIGTERM'), 0);
  t.false(existsSync(pidFile), 'the pid file is removed');
});

test('-wait renders once after the data has been quiet', async (t) => {
  const dir = tempDirFor((fn) => t.teardown(fn));
  const dest = join(dir, 'out');
  const ran = join(dir, 'ran.log');
  writeFileSync(join(dir, 'in'), '{{range service "burst"}}{{.ID}} {{end}}');
  startTemplate(['-wait', '1500ms:10s', '-template', `${join(dir, 'in')}:${dest}:echo ran >> ${ran}`], shared.agent().httpAddr, dir, (fn) => t.teardown(fn));
  await eventually(async () => lines(ran) === 1, 60_000, 'first render');
  for (const id of ['b1', 'b2', 'b3']) {
    await shared.api().agent.serviceRegister({ ID: id, Name: 'burst', Port: 7000 });
    await new Promise((r) => setTimeout(r, 200));
  }
  await eventually(async () => read(dest) === 'b1 b2 b3 ', 60_000, 'burst rendered');
  await new Promise((r) => setTimeout(r, 2000));
  t.is(lines(ran), 2, 'one render (and one command) for the whole burst');
});
