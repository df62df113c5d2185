import test from 'ava';
import { Authorizer, denialMessage } from '../src/acl/authorizer.js';
import { mergeRules, parseRules } from '../src/acl/rules.js';

const deny = async (rules: string[]) => Authorizer.fromRules(mergeRules(await Promise.all(rules.map(parseRules))), 'deny');
const allow = async (rules: string[]) => Authorizer.fromRules(mergeRules(await Promise.all(rules.map(parseRules))), 'allow');

// The key example from Consul's rules reference (precedence of exact and prefix rules).
const KEYS = `
key_prefix "" {
  policy = "read"
}
key_prefix "foo/" {
  policy = "write"
}
key_prefix "foo/private/" {
  policy = "deny"
}
key "foo/bar/secret" {
  policy = "deny"
}
key "foo" {
  policy = "deny"
}
`;

test('key rules: an exact rule beats prefixes, the longest prefix wins among prefixes', async (t) => {
  const a = await deny([KEYS]);
  const cases: [string, boolean, boolean][] = [
    // key, read, write
    ['other', true, false],
    ['foo/x', true, true],
    ['foo/private/x', false, false],
    ['foo/bar/secret', false, false],
    ['foo/bar/secret2', true, true],
    ['foo', false, false],
    ['foobar', true, false],
  ];
  for (const [key, read, write] of cases) {
    t.is(a.keyRead(key), read, `read ${key}`);
    t.is(a.keyWrite(key), write, `write ${key}`);
  }
});

test('key list: "list" grants read and list but not write; "read" does not grant list', async (t) => {
  const a = await deny(['key_prefix "l/" { policy = "list" }\nkey_prefix "r/" { policy = "read" }']);
  t.true(a.keyList('l/'));
  t.true(a.keyRead('l/a'));
  t.false(a.keyWrite('l/a'));
  t.false(a.keyList('r/'));
  t.true(a.keyRead('r/a'));
});

test('KeyWritePrefix needs write on the prefix and on every rule beneath it', async (t) => {
  const a = await deny(['key_prefix "foo/" { policy = "write" }\nkey "foo/bar/x" { policy = "read" }']);
  t.false(a.keyWritePrefix('foo/'));
  t.false(a.keyWritePrefix('foo/bar/'));
  t.true(a.keyWritePrefix('foo/baz/'));
  t.false(a.keyWritePrefix('other/'), 'no rule: default deny');
  const b = await allow(['key "a/b" { policy = "deny" }']);
  t.false(b.keyWritePrefix('a/'), 'a denying rule beneath wins over default allow');
  t.true(b.keyWritePrefix('c/'));
});

test('several policies merge: deny beats write beats list beats read for the same name', async (t) => {
  const a = await deny(['key "x" { policy = "read" }', 'key "x" { policy = "deny" }', 'key "y" { policy = "read" }', 'key "y" { policy = "write" }']);
  t.false(a.keyRead('x'));
  t.true(a.keyWrite('y'));
  // Deny does not spread across names: a longer prefix granting write still wins over a shorter deny.
  const b = await deny(['key_prefix "a/" { policy = "deny" }', 'key_prefix "a/b/" { policy = "write" }']);
  t.true(b.keyWrite('a/b/c'));
  t.false(b.keyRead('a/c'));
});

test('the default policy decides where no rule matches; an explicit deny beats default allow', async (t) => {
  const a = await allow(['service "db" { policy = "deny" }']);
  t.true(a.serviceRead('web'));
  t.false(a.serviceRead('db'));
  t.false(a.aclRead(), 'default allow does not grant ACL management');
  t.false(a.snapshot());
  t.true(a.operatorWrite());
  const d = await deny(['service "db" { policy = "read" }']);
  t.false(d.serviceRead('web'));
  t.true(d.serviceRead('db'));
  t.false(d.serviceWrite('db'));
});

test('every resource and scalar is parsed and enforced', async (t) => {
  const a = await deny([
    `service_prefix "" { policy = "read" }
service "web" {
  policy = "write"
  intentions = "read"
}
node_prefix "n" { policy = "write" }
session "s1" { policy = "read" }
session_prefix "" { policy = "write" }
agent "a1" { policy = "read" }
agent_prefix "" { policy = "deny" }
event_prefix "dep" { policy = "write" }
query "q" { policy = "read" }
query_prefix "" { policy = "write" }
operator = "read"
keyring = "write"
acl = "read"`,
  ]);
  t.true(a.serviceRead('any'));
  t.false(a.serviceWrite('any'));
  t.true(a.serviceWrite('web'));
  t.true(a.nodeWrite('n1'));
  t.false(a.nodeRead('m1'));
  t.false(a.sessionWrite('s1'));
  t.true(a.sessionWrite('s2'));
  t.true(a.agentRead('a1'));
  t.false(a.agentRead('a2'));
  t.true(a.eventWrite('deploy'));
  t.false(a.eventRead('other'));
  t.false(a.queryWrite('q'));
  t.true(a.queryWrite('q2'));
  t.true(a.operatorRead());
  t.false(a.operatorWrite());
  t.true(a.keyringWrite());
  t.true(a.aclRead());
  t.false(a.aclWrite());
  t.false(a.snapshot());
  t.true(a.serviceReadAll());
  t.false(a.nodeReadAll());
});

test('JSON rules read as the HCL ones, both block shapes', async (t) => {
  const a = await deny([JSON.stringify({ key: { 'a/b': { policy: 'write' } }, key_prefix: [{ 'c/': [{ policy: 'read' }] }], operator: 'write' })]);
  t.true(a.keyWrite('a/b'));
  t.false(a.keyWrite('a/bc'));
  t.true(a.keyRead('c/x'));
  t.true(a.operatorWrite());
});

test('HCL 1 one-line blocks with several fields parse', async (t) => {
  const r = await parseRules('service "web" { policy = "write", intentions = "read" }');
  t.deepEqual(r.exact.service, [{ name: 'web', access: 'write' }]);
});

test('management rules (global-management) grant everything, snapshot included', async (t) => {
  const a = await deny(['acl = "write"\nkey_prefix "" { policy = "write" }\nservice_prefix "" { policy = "write" }\nnode_prefix "" { policy = "write" }\noperator = "write"']);
  t.true(a.snapshot());
  t.true(a.keyWritePrefix(''));
});

test('invalid rules are refused with Consul-style messages', async (t) => {
  await t.throwsAsync(parseRules('key "a" { policy = "admin" }'), { message: /^Invalid key policy: / });
  await t.throwsAsync(parseRules('service "a" { policy = "list" }'), { message: /^Invalid service policy: / });
  await t.throwsAsync(parseRules('operator = "all"'), { message: 'Invalid operator policy: "all"' });
  await t.throwsAsync(parseRules('key "a" { policy = '), { message: /^Failed to parse ACL rules: / });
  await t.throwsAsync(parseRules('{"key": '), { message: /^Failed to parse ACL rules: / });
  await t.throwsAsync(parseRules('bogus "a" { policy = "read" }'), { message: /^Failed to parse ACL rules: unknown rule "bogus"/ });
  await t.throwsAsync(parseRules('x'.repeat(200_000)), { message: /larger than/ });
  t.deepEqual((await parseRules('')).scalar, {});
});

test('a refused check is described as Consul words it: the token, the resource and level, and the name when there is one', async (t) => {
  const shared = Authorizer.fromRules(mergeRules([await parseRules('key_prefix "app/" { policy = "read" }\noperator = "read"')]), 'deny');
  const a = shared.withAccessor('4b5e-accessor');
  t.true(a.keyRead('app/x'));
  t.is(a.denial, undefined, 'an allowed check leaves nothing');
  t.false(a.keyWrite('app/x'));
  t.is(denialMessage(a.accessorId, a.denial), `Permission denied: token with AccessorID '4b5e-accessor' lacks permission 'key:write' on "app/x"`);
  t.false(a.operatorWrite());
  t.is(denialMessage(a.accessorId, a.denial), `Permission denied: token with AccessorID '4b5e-accessor' lacks permission 'operator:write'`);
  t.false(a.keyWritePrefix(''));
  t.is(denialMessage(a.accessorId, a.denial), `Permission denied: token with AccessorID '4b5e-accessor' lacks permission 'key:write'`, 'the empty name is not named');
  a.clearDenial();
  t.is(denialMessage(a.accessorId, a.denial), 'Permission denied');
  t.false(shared.nodeWrite('n1'));
  t.is(denialMessage(shared.accessorId, shared.denial), `Permission denied: provided token lacks permission 'node:write' on "n1"`);
  t.is(a.denial, undefined, 'tokens sharing the policies keep their own refusals');
});
