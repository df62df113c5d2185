import test from 'ava';
import { type RunningAgent, runCli, startAgent } from './_agent.js';

let agent: RunningAgent;

test.before(async () => {
  agent = await startAgent();
});

test.after.always(async () => {
  await agent?.stop();
});

test('catalog datacenters prints one datacenter per line', async (t) => {
  const r = await runCli(['catalog', 'datacenters'], { addr: agent.httpAddr });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'dc1\n');
  const extra = await runCli(['catalog', 'datacenters', 'x'], { addr: agent.httpAddr });
  t.is(extra.code, 1);
  t.is(extra.stderr, 'Too many arguments (expected 0, got 1)\n');
});

test("operator autopilot state prints Consul's pretty format, and JSON with -format=json", async (t) => {
  const self = JSON.parse(await (await fetch(`${agent.base}/v1/agent/self`)).text()) as { Config: { NodeID: string; NodeName: string } };
  const id = self.Config.NodeID;
  const r = await runCli(['operator', 'autopilot', 'state'], { addr: agent.httpAddr });
  t.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  t.deepEqual(lines.slice(0, 8), [
    'Healthy:                      true',
    'Failure Tolerance:            0',
    'Optimistic Failure Tolerance: 0',
    `Leader:                       ${id}`,
    'Voters:',
    `   ${id}`,
    'Servers:',
    `   ${id}`,
  ]);
  t.is(lines[8], `      Name:            ${self.Config.NodeName}`);
  t.regex(r.stdout, /\n {6}Status: {10}leader\n {6}Node Type: {7}voter\n {6}Node Status: {5}alive\n {6}Healthy: {9}true\n/);
  const json = await runCli(['operator', 'autopilot', 'state', '-format=json'], { addr: agent.httpAddr });
  t.is(json.code, 0, json.stderr);
  t.like(JSON.parse(json.stdout), { Healthy: true, Leader: id, Voters: [id] });
  const bad = await runCli(['operator', 'autopilot', 'state', '-format=xml'], { addr: agent.httpAddr });
  t.is(bad.code, 1);
  t.is(bad.stderr, 'Error: Unknown format: xml\n');
});

test('operator autopilot set-config refuses malformed values with one line and changes nothing', async (t) => {
  const before = await runCli(['operator', 'autopilot', 'get-config'], { addr: agent.httpAddr });
  t.is(before.code, 0, before.stderr);
  // Consul's defaults, stored by the first leader.
  t.is(
    before.stdout,
    'CleanupDeadServers = true\nLastContactThreshold = 200ms\nMaxTrailingLogs = 250\nMinQuorum = 0\nServerStabilizationTime = 10s\n' +
      'RedundancyZoneTag = ""\nDisableUpgradeMigration = false\nUpgradeVersionTag = ""\n',
  );
  for (const [flag, value] of [
    ['cleanup-dead-servers', 'maybe'],
    ['max-trailing-logs', '-1'],
    ['last-contact-threshold', 'soon'],
  ]) {
    const r = await runCli(['operator', 'autopilot', 'set-config', `-${flag}=${value}`], { addr: agent.httpAddr });
    t.is(r.code, 1);
    t.is(r.stderr, `invalid value "${value}" for flag -${flag}: parse error\n`);
  }
  const after = await runCli(['operator', 'autopilot', 'get-config'], { addr: agent.httpAddr });
  t.is(after.stdout, before.stdout);
  const down = await runCli(['operator', 'autopilot', 'get-config'], { addr: '127.0.0.1:1' });
  t.is(down.code, 1);
  t.regex(down.stderr, /^Error querying Autopilot configuration: /);
});
