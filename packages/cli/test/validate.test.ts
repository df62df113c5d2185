import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { runCli } from './_agent.js';

const dir = mkdtempSync(join(tmpdir(), 'concord-validate-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

const dataDir = join(dir, 'data');
// An explicit bind address: the default (0.0.0.0) would make the result depend on how many private
// IPv4 addresses this machine has at the moment (Consul refuses to pick one of several).
const base = file('base.json', JSON.stringify({ data_dir: dataDir, server: true, bootstrap_expect: 3, node_name: 'v1', bind_addr: '127.0.0.1' }));
file('conf.d/10-dc.hcl', 'datacenter = "east"\nservice {\n  name = "web"\n  port = 80\n}\n');
file('conf.d/20-meta.json', JSON.stringify({ node_meta: { rack: 'r1' } }));

test('valid files and directories: exit 0 with "Configuration is valid!", nothing written', async (t) => {
  const r = await runCli(['validate', base, join(dir, 'conf.d')]);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'Configuration is valid!\n');
  t.is(r.stderr, '');
  t.false(existsSync(dataDir), 'validate does not create the data dir or save a node ID');
  const quiet = await runCli(['validate', '-quiet', base]);
  t.is(quiet.code, 0);
  t.is(quiet.stdout, '');
});

test('invalid configuration: exit 1 with "Config validation failed: <reason>" on one line', async (t) => {
  const cases: [string[], RegExp][] = [
    [[file('unknown-key.json', '{"data_dir":"/x","bogus_key":1}')], /invalid config key bogus_key/],
    [[file('no-data-dir.json', '{"server":true,"bind_addr":"127.0.0.1"}')], /data_dir cannot be empty/],
    [[file('broken.json', '{"data_dir": ')], /Error parsing .*broken\.json/],
    [[base, file('bad-type.json', '{"bootstrap_expect":"three"}')], /bootstrap_expect must be an integer/],
    [[base, file('bad-level.json', '{"log_level":"loud"}')], /Invalid log level: loud/],
    [[base, join(dir, 'missing.json')], /Error loading .*missing\.json: no such file or directory/],
    [[base, file('bad-service.json', '{"service":{"name":"web","port":"eighty"}}')], /[Pp]ort/],
  ];
  for (const [paths, reason] of cases) {
    const r = await runCli(['validate', ...paths]);
    t.is(r.code, 1, paths.join(' '));
    t.is(r.stdout, '');
    t.regex(r.stderr, /^Config validation failed: [^\n]*\n$/, r.stderr);
    t.regex(r.stderr, reason);
  }
});

test('without any file or directory: one line and exit 1', async (t) => {
  const r = await runCli(['validate']);
  t.is(r.code, 1);
  t.is(r.stderr, 'Must specify at least one config file or directory\n');
});
