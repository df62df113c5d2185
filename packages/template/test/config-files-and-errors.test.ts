import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { runCli } from '@concord/testkit';
import { sharedAgent, tempDirFor } from './_cli.js';

const shared = sharedAgent(test, async (api) => {
  await api.kv.put('cfg/greeting', 'hello');
});

test('an HCL config file sets contents, perms, backup, delimiters, create_dest_dirs and the command', async (t) => {
  const dir = tempDirFor((fn) => t.teardown(fn));
  const dest = join(dir, 'made', 'by', 'config.txt');
  const hcl = join(dir, 'ct.hcl');
  writeFileSync(
    hcl,
    `consul {
  address = "${shared.agent().httpAddr}"
}
log_level = "warn"
template {
  contents = "<% key \\"cfg/greeting\\" %> {{ not a template }}"
  destination = "${dest}"
  perms = 0600
  backup = true
  left_delimiter = "<%"
  right_delimiter = "%>"
  create_dest_dirs = true
  command = "echo done > ${join(dir, 'cmd.out')}"
  command_timeout = "5s"
}
`,
  );
  const r = await runCli(['template', '-once', '-config', hcl], { timeoutMs: 60_000 });
  t.is(r.code, 0, r.stderr);
  t.is(readFileSync(dest, 'utf8'), 'hello {{ not a template }}');
  t.is(statSync(dest).mode & 0o777, 0o600);
  t.is(readFileSync(join(dir, 'cmd.out'), 'utf8'), 'done\n');
  writeFileSync(dest, 'old contents');
  const again = await runCli(['template', '-once', '-config', hcl], { timeoutMs: 60_000 });
  t.is(again.code, 0, again.stderr);
  t.is(readFileSync(`${dest}.bak`, 'utf8'), 'old contents');
  t.is(readFileSync(dest, 'utf8'), 'hello {{ not a template }}');
});

test('a JSON config directory is read file by file; -dry prints instead of writing', async (t) => {
  const dir = tempDirFor((fn) => t.teardown(fn));
  const confDir = join(dir, 'conf.d');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(confDir);
  writeFileSync(join(confDir, '10-consul.json'), JSON.stringify({ consul: { address: shared.agent().httpAddr } }));
  writeFileSync(join(confDir, '20-tmpl.json'), JSON.stringify({ template: [{ contents: 'g={{key "cfg/greeting"}}', destination: join(dir, 'never') }] }));
  const r = await runCli(['template', '-once', '-dry', '-config', confDir], { timeoutMs: 60_000 });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, `> ${join(dir, 'never')}\ng=hello\n`);
  t.false(existsSync(join(dir, 'never')));
});

test('bad input: one line on stderr and a non-zero exit', async (t) => {
  const dir = tempDirFor((fn) => t.teardown(fn));
  writeFileSync(join(dir, 'bad.tpl'), '{{ nosuch "x" }}');
  writeFileSync(join(dir, 'exec.tpl'), '{{ index .Missing 3 }}');
  const cases: Array<[string[], RegExp]> = [
    [['-template', 'only-one-part'], /-template: invalid format "only-one-part"/],
    [['-template', `${join(dir, 'bad.tpl')}:${join(dir, 'o')}`], /template: .*bad\.tpl:1: function "nosuch" not defined/],
    [['-template', `${join(dir, 'exec.tpl')}:${join(dir, 'o')}`], /error calling index: index of untyped nil/],
    [['-template', `${join(dir, 'missing.tpl')}:${join(dir, 'o')}`], /template source .*missing\.tpl: no such file/],
    [['-wait', 'soon', '-template', `${join(dir, 'bad.tpl')}:o`], /wait: invalid duration "soon"/],
    [['-config', join(dir, 'nope.hcl')], /config: .*nope\.hcl: no such file or directory/],
    [['-log-level', 'loud', '-template', 'a:b'], /-log-level must be one of/],
    [[], /at least one template is required/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['template', '-once', ...args], { addr: shared.agent().httpAddr, timeoutMs: 60_000 });
    t.is(r.code, 1, args.join(' '));
    t.regex(r.stderr, message, args.join(' '));
  }
});

test('-once gives up with a non-zero exit when the agent stays unreachable', async (t) => {
  const dir = tempDirFor((fn) => t.teardown(fn));
  writeFileSync(join(dir, 'in'), '{{key "a"}}');
  // Port 9 on loopback: nothing listens (discard), so connections are refused.
  const r = await runCli(
    ['template', '-once', '-consul-addr', '127.0.0.1:9', '-consul-retry-attempts', '3', '-consul-retry-backoff', '50ms', '-template', `${join(dir, 'in')}:${join(dir, 'out')}`],
    { timeoutMs: 60_000 },
  );
  t.is(r.code, 1);
  t.regex(r.stderr, /kv\.get\(a\): .*ECONNREFUSED.*giving up after 3 attempts/);
  t.false(existsSync(join(dir, 'out')));
});
