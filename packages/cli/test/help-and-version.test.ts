import { createServer } from 'node:net';
import test from 'ava';
import { runCli } from './_agent.js';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('concord without arguments prints the command list to stdout and exits 127', async (t) => {
  const res = await runCli([]);
  t.is(res.code, 127);
  t.regex(res.stdout, /^Usage: concord \[--version\] \[--help\] <command> \[<args>\]\n\nAvailable commands are:\n/);
  for (const name of ['kv', 'catalog', 'members', 'info', 'operator', 'services', 'version']) {
    t.regex(res.stdout, new RegExp(`^    ${name} +\\S`, 'm'));
  }
});

test('concord -h prints the command list and exits 0', async (t) => {
  const res = await runCli(['-h']);
  t.is(res.code, 0);
  t.regex(res.stdout, /^Usage: concord /);
});

test('an unknown command prints the command list and exits 127', async (t) => {
  const res = await runCli(['frobnicate']);
  t.is(res.code, 127);
  t.regex(res.stdout, /Available commands are:/);
});

test('a command with -h prints its own help and exits 0', async (t) => {
  const res = await runCli(['kv', 'put', '-h']);
  t.is(res.code, 0);
  t.regex(res.stdout, /^Usage: concord kv put \[options\] KEY \[DATA\]/);
  t.regex(res.stdout, /-http-addr=<address>/);
});

test('a command group without a subcommand prints its help with the subcommands to stderr and exits 1', async (t) => {
  const res = await runCli(['kv']);
  t.is(res.code, 1);
  t.is(res.stdout, '');
  t.regex(res.stderr, /^Usage: concord kv <subcommand>/);
  t.regex(res.stderr, /Subcommands:\n {4}delete {4}Removes data from the KV store\n/);
});

test('operator raft with -h lists its subcommands in one aligned column', async (t) => {
  const res = await runCli(['operator', 'raft', '-h']);
  t.is(res.code, 0);
  t.regex(res.stdout, /^ {4}list-peers {9}Display the current Raft peer configuration$/m);
  t.regex(res.stdout, /^ {4}remove-peer {8}Remove a server from the Raft configuration$/m);
  t.regex(res.stdout, /^ {4}transfer-leader {4}Transfer raft leadership to another server$/m);
});

test('version and --version print the version', async (t) => {
  const a = await runCli(['version']);
  t.is(a.code, 0);
  t.regex(a.stdout, /^Concord v\d+\.\d+\.\d+\nProtocol 2 spoken by default, understands 2 to 3/);
  const b = await runCli(['--version']);
  t.is(b.stdout, a.stdout);
  const json = JSON.parse((await runCli(['version', '-format=json'])).stdout) as { Version: string };
  t.regex(json.Version, /^\d+\.\d+\.\d+$/);
});

test('a command that cannot reach the agent prints one line and exits 1', async (t) => {
  const port = await closedPort();
  const res = await runCli(['kv', 'get', 'a'], { addr: `127.0.0.1:${port}` });
  t.is(res.code, 1);
  t.is(res.stderr.split('\n').length, 2);
  t.true(res.stderr.startsWith(`Error querying Consul agent: Get "http://127.0.0.1:${port}/v1/kv/a": `), res.stderr);
  t.regex(res.stderr, /ECONNREFUSED/);
});

test('-http-addr overrides CONSUL_HTTP_ADDR', async (t) => {
  const res = await runCli(['kv', 'get', '-http-addr=http://127.0.0.1:2', 'a'], { addr: '127.0.0.1:1' });
  t.regex(res.stderr, /127\.0\.0\.1:2\/v1\/kv\/a/);
});

test('CONCORD_HTTP_ADDR takes precedence over CONSUL_HTTP_ADDR', async (t) => {
  const res = await runCli(['kv', 'get', 'a'], { addr: '127.0.0.1:1', env: { CONCORD_HTTP_ADDR: '127.0.0.1:3' } });
  t.regex(res.stderr, /127\.0\.0\.1:3\/v1\/kv\/a/);
});

test('ports the Fetch standard blocks are tried like any other: the typed client and the raw snapshot request both reach the socket', async (t) => {
  // Nothing listens on 1 or 9 (binding them needs root); the error must come from connect().
  const kv = await runCli(['kv', 'get', 'a'], { addr: '127.0.0.1:1' });
  t.is(kv.stderr, 'Error querying Consul agent: Get "http://127.0.0.1:1/v1/kv/a": connect ECONNREFUSED 127.0.0.1:1\n');
  const snap = await runCli(['snapshot', 'save', '-http-addr=127.0.0.1:9', `/tmp/unused-${process.pid}.snap`]);
  t.is(snap.stderr, 'Error saving snapshot: Get "http://127.0.0.1:9/v1/snapshot": connect ECONNREFUSED 127.0.0.1:9\n');
  t.is(snap.code, 1);
});
