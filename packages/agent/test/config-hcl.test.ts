import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { resolveAgentConfig } from '../src/index.js';
import { getJson, startTestAgent, tempDir } from './_local-helpers.js';

const HCL = `
datacenter = "east"
node_meta {
  rack = "r1"
}
limits {
  kv_max_value_size = 1024
}
service {
  name = "web"
  port = 8080
  tags = ["v1"]
  check {
    ttl = "30s"
  }
}
service {
  name = "db"
  port = 5432
}
`;

test('an HCL config file is read like its JSON equivalent', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'agent.hcl');
  writeFileSync(file, HCL);
  const config = resolveAgentConfig(['-dev', '-config-file', file]);
  t.is(config.datacenter, 'east');
  t.deepEqual(config.nodeMeta, { rack: 'r1' });
  t.is(config.kvMaxValueSize, 1024);
  t.deepEqual(
    config.services.map((s) => s.name),
    ['web', 'db'],
  );
});

test('services from an HCL file in -config-dir are registered with their checks', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'services.hcl'), HCL.replace('datacenter = "east"', ''));
  const { base } = await startTestAgent(t, { extraArgs: ['-config-dir', dir] });
  const services = await getJson<Record<string, { Service: string; Port: number; Tags: string[] }>>(base, '/v1/agent/services');
  t.deepEqual(Object.keys(services).sort(), ['db', 'web']);
  t.deepEqual(services.web?.Tags, ['v1']);
  const checks = await getJson<Record<string, { ServiceID: string }>>(base, '/v1/agent/checks');
  t.is(checks['service:web']?.ServiceID, 'web');
});

test('a malformed HCL file stops the agent with the parser message', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'bad.hcl');
  writeFileSync(file, 'datacenter = \n service {');
  const err = t.throws(() => resolveAgentConfig(['-dev', '-config-file', file]));
  t.regex(err?.message ?? '', /^Error parsing .*bad\.hcl: .+/);
});
