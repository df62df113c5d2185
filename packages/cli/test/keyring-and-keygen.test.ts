import anyTest, { type TestFn } from 'ava';
import { type RunningAgent, runCli, startAgent } from './_agent.js';

const test = anyTest as TestFn<{ encrypted: RunningAgent; plain: RunningAgent; first: string }>;

async function keygen(): Promise<string> {
  const res = await runCli(['keygen']);
  if (res.code !== 0) throw new Error(`keygen failed: ${res.stderr}`);
  return res.stdout.trimEnd();
}

test.before(async (t) => {
  t.context.first = await keygen();
  const [encrypted, plain] = await Promise.all([startAgent(['-encrypt', t.context.first]), startAgent()]);
  t.context.encrypted = encrypted;
  t.context.plain = plain;
});

test.after.always(async (t) => {
  await Promise.all([t.context.encrypted?.stop(), t.context.plain?.stop()]);
});

/** `keyring -list` (or `-list-primary`) output as key → `n/total`. */
function listedKeys(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of stdout.matchAll(/^ {2}(\S+) \[(\d+\/\d+)\]$/gm)) out.set(m[1] as string, m[2] as string);
  return out;
}

test('keygen prints a fresh base64 key of 32 bytes each time', async (t) => {
  const a = await runCli(['keygen']);
  t.is(a.code, 0);
  t.is(a.stderr, '');
  t.regex(a.stdout, /^[A-Za-z0-9+/]{43}=\n$/);
  t.is(Buffer.from(a.stdout.trim(), 'base64').length, 32);
  t.not(await keygen(), a.stdout.trim());
});

test('keygen takes no arguments', async (t) => {
  const res = await runCli(['keygen', 'x']);
  t.is(res.code, 1);
  t.is(res.stderr, 'Too many arguments (expected 0, got 1)\n');
});

test.serial('keyring -list shows the agent key on its LAN pool as Consul prints it', async (t) => {
  const res = await runCli(['keyring', '-list'], { addr: t.context.encrypted.httpAddr });
  t.is(res.stderr, '');
  t.is(res.code, 0);
  t.is(res.stdout, `==> Gathering installed encryption keys...\n\ndc1 (LAN):\n  ${t.context.first} [1/1]\n`);
});

// Serial: rotates the encrypted agent's keyring after the listing above.
test.serial('keyring -install, -use and -remove rotate the key', async (t) => {
  const addr = t.context.encrypted.httpAddr;
  const { first } = t.context;
  const second = await keygen();

  const install = await runCli(['keyring', '-install', second], { addr });
  t.is(install.stderr, '');
  t.is(install.stdout, '==> Installing new gossip encryption key...\n');
  t.is(install.code, 0);
  const both = await runCli(['keyring', '-list'], { addr });
  t.deepEqual(
    [...listedKeys(both.stdout)].sort(),
    [
      [first, '1/1'],
      [second, '1/1'],
    ].sort(),
  );
  const primary = await runCli(['keyring', '-list-primary'], { addr });
  t.regex(primary.stdout, /^==> Gathering installed primary encryption keys\.\.\.\n/);
  t.deepEqual([...listedKeys(primary.stdout).keys()], [first]);

  const use = await runCli(['keyring', `-use=${second}`], { addr });
  t.is(use.stdout, '==> Changing primary gossip encryption key...\n');
  t.is(use.code, 0, use.stderr);
  t.deepEqual([...listedKeys((await runCli(['keyring', '-list-primary'], { addr })).stdout).keys()], [second]);

  const removePrimary = await runCli(['keyring', '-remove', second], { addr });
  t.is(removePrimary.code, 1);
  t.regex(removePrimary.stderr, /^error: Unexpected response code: 500 \(.+\)\n$/);

  const remove = await runCli(['keyring', '-remove', first], { addr });
  t.is(remove.stdout, '==> Removing gossip encryption key...\n');
  t.is(remove.code, 0, remove.stderr);
  t.deepEqual([...listedKeys((await runCli(['keyring', '-list'], { addr })).stdout).keys()], [second]);
});

test('keyring on an agent without gossip encryption prints the agent error and exits 1', async (t) => {
  const res = await runCli(['keyring', '-list'], { addr: t.context.plain.httpAddr });
  t.is(res.code, 1);
  t.is(res.stdout, '==> Gathering installed encryption keys...\n');
  t.is(res.stderr, 'error: Unexpected response code: 500 (keyring: gossip encryption is not enabled)\n');
});

test('keyring -install of a malformed key is refused', async (t) => {
  const res = await runCli(['keyring', '-install', 'not-a-key'], { addr: t.context.encrypted.httpAddr });
  t.is(res.code, 1);
  t.regex(res.stderr, /^error: Unexpected response code: [45]\d\d \(.+\)\n$/);
});

test('keyring needs exactly one action', async (t) => {
  const addr = t.context.encrypted.httpAddr;
  const none = await runCli(['keyring'], { addr });
  t.is(none.code, 1);
  t.regex(none.stderr, /^Usage: concord keyring \[options\]/);
  const two = await runCli(['keyring', '-list', '-install', 'x'], { addr });
  t.is(two.code, 1);
  t.is(two.stderr, 'Only a single action is allowed\n');
});

test('keyring checks -relay-factor and -local-only before sending anything', async (t) => {
  const addr = t.context.encrypted.httpAddr;
  const relay = await runCli(['keyring', '-list', '-relay-factor=6'], { addr });
  t.is(relay.code, 1);
  t.is(relay.stderr, 'Error parsing relay factor: Relay factor must be in range: [0, 5]\n');
  const local = await runCli(['keyring', '-install', t.context.first, '-local-only'], { addr });
  t.is(local.code, 1);
  t.is(local.stderr, 'Error validating local-only: local-only can only be set for list requests\n');
  const ok = await runCli(['keyring', '-list', '-relay-factor=2', '-local-only'], { addr });
  t.is(ok.code, 0, ok.stderr);
});
