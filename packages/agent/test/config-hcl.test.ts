import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { resolveAgentConfig } from '../src/index.js';
import { call, startAgent } from './_agent.js';
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

test('HCL 1 forms Consul reads (one-line blocks with commas, blocks nested on one line, quoted names) configure the agent', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'consul.hcl');
  writeFileSync(
    file,
    [
      '# as found in Consul configurations',
      'node_meta { rack = "r1", "zone" = "z-1" }',
      'limits { kv_max_value_size = 2048, txn_max_req_len = 4096 }',
      'tls { defaults { verify_incoming = false, verify_outgoing = false } }',
      'service {',
      '  name = "web", port = 8080, tags = ["a", "b"]',
      '  meta = { "team.name" = "x,y" }',
      '  check { ttl = "30s", notes = "one, two { three }" }',
      '}',
      '',
    ].join('\n'),
  );
  const agent = await startAgent(t, { extraArgs: ['-config-file', file] });
  const self = (await call(agent, 'GET', '/v1/agent/self')).json<{ Meta: Record<string, string> }>();
  t.like(self.Meta, { rack: 'r1', zone: 'z-1' });
  const services = (await call(agent, 'GET', '/v1/agent/services')).json<Record<string, { Port: number; Tags: string[]; Meta: Record<string, string> }>>();
  t.like(services.web, { Port: 8080, Tags: ['a', 'b'], Meta: { 'team.name': 'x,y' } });
  const checks = (await call(agent, 'GET', '/v1/agent/checks')).json<Record<string, { Notes: string }>>();
  t.is(checks['service:web']?.Notes, 'one, two { three }');
  t.is((await call(agent, 'PUT', '/v1/kv/big', 'x'.repeat(2049))).status, 413, 'limits applied');
  t.is((await call(agent, 'PUT', '/v1/kv/small', 'x'.repeat(2048))).status, 200);
});

test('a file HCL 1 would refuse too keeps the HCL parser message for the file as written', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'bad.hcl');
  writeFileSync(file, 'ports { http = -1, https = }\n');
  const err = t.throws(() => resolveAgentConfig(['-dev', '-config-file', file]));
  t.regex(err?.message ?? '', /^Error parsing .*bad\.hcl: .*bad\.hcl:1,/);
});
