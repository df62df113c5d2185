/**
 * `concord acl ...` against a server with default deny: bootstrap, policies from a rules file,
 * tokens by policy and role name, clone, list, set-agent-token, and the four ways a command takes
 * its token (-token, -token-file, CONSUL_HTTP_TOKEN, CONSUL_HTTP_TOKEN_FILE).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { eventually, runCli, startAgent, tempDir } from '@concord/testkit';

test('the acl commands manage policies, roles and tokens, and every command takes a token four ways', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'acl.json'), JSON.stringify({ acl: { enabled: true, default_policy: 'deny' } }));
  const a = await startAgent(t, { extraArgs: ['-config-file', join(dir, 'acl.json')] });
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { addr: a.httpAddr, env });

  const boot = await eventually(
    async () => {
      const r = await cli(['acl', 'bootstrap', '-format=json']);
      return r.code === 0 ? (JSON.parse(r.stdout) as { SecretID: string }) : undefined;
    },
    30_000,
    'the bootstrap',
    200,
  );
  const root = boot.SecretID;
  const second = await cli(['acl', 'bootstrap']);
  t.is(second.code, 1);
  t.regex(second.stderr, /^Failed ACL bootstrapping: Unexpected response code: 403 \(Permission denied: ACL bootstrap no longer allowed \(reset index: \d+\)\)\n$/);

  writeFileSync(join(dir, 'rules.hcl'), 'key_prefix "team/" {\n  policy = "write"\n}\n');
  const pol = await cli(['acl', 'policy', 'create', '-name', 'team', '-description', 'team keys', '-rules', `@${join(dir, 'rules.hcl')}`, '-token', root]);
  t.is(pol.code, 0, pol.stderr);
  t.regex(pol.stdout, /^ID: +[0-9a-f-]{36}\nName: +team\nDescription: +team keys\nDatacenters: *\nRules:\nkey_prefix "team\/"/);
  const list = await cli(['acl', 'policy', 'list', '-token', root]);
  t.regex(list.stdout, /^global-management:\n/m);
  t.regex(list.stdout, /^team:\n/m);
  const read = await cli(['acl', 'policy', 'read', '-name', 'team', '-format', 'json', '-token', root]);
  t.is(JSON.parse(read.stdout).Name, 'team');

  t.is((await cli(['acl', 'role', 'create', '-name', 'teamrole', '-policy-name', 'team', '-token', root])).code, 0);
  const tok = await cli(['acl', 'token', 'create', '-description', 'team token', '-role-name', 'teamrole', '-format', 'json', '-token', root]);
  t.is(tok.code, 0, tok.stderr);
  const team = JSON.parse(tok.stdout) as { SecretID: string; AccessorID: string };
  const shown = await cli(['acl', 'token', 'read', '-id', team.AccessorID.slice(0, 8), '-token', root]);
  t.regex(shown.stdout, /^AccessorID: +[0-9a-f-]{36}\nSecretID: +[0-9a-f-]{36}\nDescription: +team token\nLocal: +false\nCreate Time: +\d{4}-\d\d-\d\d /);
  t.regex(shown.stdout, /Roles:\n {3}[0-9a-f-]{36} - teamrole/);
  t.regex((await cli(['acl', 'token', 'read', '-id', 'zzzz', '-token', root])).stderr, /^Error determining token ID: No such token ID with prefix: zzzz\n$/);
  const clone = await cli(['acl', 'token', 'clone', '-id', team.AccessorID, '-description', 'copy', '-format', 'json', '-token', root]);
  t.is(JSON.parse(clone.stdout).Description, 'copy');
  t.regex((await cli(['acl', 'token', 'list', '-token', root])).stdout, /Description: +copy/);

  // The scoped token, four ways.
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${team.SecretID}\n`);
  const ways: [string[], Record<string, string>][] = [
    [['-token', team.SecretID], {}],
    [['-token-file', tokenFile], {}],
    [[], { CONSUL_HTTP_TOKEN: team.SecretID }],
    [[], { CONSUL_HTTP_TOKEN_FILE: tokenFile }],
  ];
  for (const [i, [flags, env]] of ways.entries()) {
    const put = await cli(['kv', 'put', ...flags, `team/k${i}`, 'v'], env);
    t.is(put.code, 0, `way ${i}: ${put.stderr}`);
    const denied = await cli(['kv', 'put', ...flags, `other/k${i}`, 'v'], env);
    t.is(denied.code, 1);
    t.regex(denied.stderr, new RegExp(`403 \\(Permission denied: token with AccessorID '[0-9a-f-]{36}' lacks permission 'key:write' on "other/k${i}"\\)`));
  }
  t.regex(
    (await cli(['kv', 'get', 'team/k0'])).stderr,
    /403 \(Permission denied: token with AccessorID '00000000-0000-0000-0000-000000000002' lacks permission 'key:read' on "team\/k0"\)/,
    'anonymous is denied',
  );
  const anon = await cli(['acl', 'token', 'update', '-id', 'anonymous', '-policy-name', 'team', '-description', 'Anonymous Token', '-token', root]);
  t.is(anon.code, 0, anon.stderr);
  t.regex(anon.stdout, /^AccessorID: +00000000-0000-0000-0000-000000000002\n/, '`anonymous` names the anonymous token, as in Consul');
  t.is((await cli(['kv', 'get', 'team/k0'])).stdout, 'v\n', 'anonymous now has the team policy');
  t.is(JSON.parse((await cli(['acl', 'token', 'read', '-id', 'anonymous', '-format', 'json', '-token', root])).stdout).Description, 'Anonymous Token');
  const self = await cli(['acl', 'token', 'read', '-self', '-format', 'json'], { CONSUL_HTTP_TOKEN: team.SecretID });
  t.is(JSON.parse(self.stdout).AccessorID, team.AccessorID);

  const set = await cli(['acl', 'set-agent-token', '-token', root, 'default', team.SecretID]);
  t.is(set.stdout, 'ACL token "default" set successfully\n');
  t.is((await cli(['kv', 'get', 'team/k0'])).stdout, 'v\n', 'the agent default token now serves tokenless requests');
  t.is((await cli(['acl', 'token', 'delete', '-id', team.AccessorID, '-token', root])).code, 0);
  t.regex((await cli(['kv', 'get', '-token', team.SecretID, 'team/k0'])).stderr, /403 \(ACL not found\)/);
  const missing = await cli(['kv', 'get', '-token-file', join(dir, 'nope'), 'team/k0']);
  t.is(missing.code, 1);
  t.is(missing.stderr.trim().split('\n').length, 1);
});

test('concord template reads with a token from -consul-token or CONSUL_HTTP_TOKEN_FILE', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'acl.json'), JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: 'tmpl-root' } } }));
  const a = await startAgent(t, { extraArgs: ['-config-file', join(dir, 'acl.json')] });
  await eventually(
    async () => (await fetch(`${a.base}/v1/kv/conf/greeting`, { method: 'PUT', body: 'hello', headers: { 'X-Consul-Token': 'tmpl-root' } })).ok,
    30_000,
    'a management write',
    200,
  );
  writeFileSync(join(dir, 'in.tmpl'), '{{ key "conf/greeting" }}\n');
  writeFileSync(join(dir, 'token'), 'tmpl-root\n');
  const env = { CONSUL_HTTP_ADDR: a.httpAddr };
  const fromFile = await runCli(['template', '-once', '-consul-retry-attempts', '1', '-template', `${join(dir, 'in.tmpl')}:${join(dir, 'a.txt')}`], {
    env: { ...env, CONSUL_HTTP_TOKEN_FILE: join(dir, 'token') },
    timeoutMs: 90_000,
  });
  t.is(fromFile.code, 0, fromFile.stderr);
  t.is(readFileSync(join(dir, 'a.txt'), 'utf8'), 'hello\n');
  const fromFlag = await runCli(['template', '-once', '-consul-token', 'tmpl-root', '-template', `${join(dir, 'in.tmpl')}:${join(dir, 'b.txt')}`], { env, timeoutMs: 90_000 });
  t.is(fromFlag.code, 0, fromFlag.stderr);
  t.is(readFileSync(join(dir, 'b.txt'), 'utf8'), 'hello\n');
});
