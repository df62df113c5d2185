import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ConfigError, resolveAgentConfig } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'concord-config-wan-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const base = ['-server', '-bootstrap-expect=1', '-data-dir', dir, '-bind', '10.0.0.5'];
let seq = 0;
function configFile(json: object): string {
  const path = join(dir, `c${++seq}.json`);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

test('WAN defaults: port 8302, advertised on the LAN advertise address, nothing to join', (t) => {
  const c = resolveAgentConfig(base);
  t.is(c.ports.serfWan, 8302);
  t.is(c.advertiseAddrWan, '10.0.0.5');
  t.deepEqual(c.startJoinWan, []);
  t.deepEqual(c.retryJoinWan, []);
  t.deepEqual(c.gossipWan, {});
});

test('the WAN flags: -serf-wan-port, -advertise-wan, -join-wan and -retry-join-wan (repeatable)', (t) => {
  const c = resolveAgentConfig([
    ...base,
    '-serf-wan-port',
    '0',
    '-advertise-wan',
    '203.0.113.7',
    '-join-wan',
    '198.51.100.1',
    '-retry-join-wan',
    '198.51.100.2:9302',
    '-retry-join-wan',
    '198.51.100.3',
  ]);
  t.is(c.ports.serfWan, 0);
  t.is(c.advertiseAddrWan, '203.0.113.7');
  t.deepEqual(c.startJoinWan, ['198.51.100.1']);
  t.deepEqual(c.retryJoinWan, ['198.51.100.2:9302', '198.51.100.3']);
  t.is(resolveAgentConfig([...base, '-serf-wan-port', '-1']).ports.serfWan, -1);
});

test('the WAN config keys: ports.serf_wan, advertise_addr_wan, start_join_wan, retry_join_wan, gossip_wan', (t) => {
  const file = configFile({
    ports: { serf_wan: 9402 },
    advertise_addr_wan: '203.0.113.9',
    start_join_wan: ['198.51.100.4'],
    retry_join_wan: ['198.51.100.5'],
    gossip_wan: { probe_interval: '2s', probe_timeout: '1s', suspicion_mult: 3, gossip_nodes: 5 },
  });
  const c = resolveAgentConfig([...base, '-config-file', file, '-retry-join-wan', '198.51.100.6']);
  t.is(c.ports.serfWan, 9402);
  t.is(c.advertiseAddrWan, '203.0.113.9');
  t.deepEqual(c.startJoinWan, ['198.51.100.4']);
  t.deepEqual(c.retryJoinWan, ['198.51.100.5', '198.51.100.6']);
  t.deepEqual(c.gossipWan, { probeIntervalMs: 2000, probeTimeoutMs: 1000, suspicionMult: 3, gossipNodes: 5 });
});

test('bad WAN settings are refused with the key named', (t) => {
  const refuse = (argv: string[], message: string | RegExp) => t.throws(() => resolveAgentConfig([...base, ...argv]), { instanceOf: ConfigError, message });
  refuse(['-config-file', configFile({ ports: { serf_wan: 70000 } })], 'ports.serf_wan: invalid port 70000');
  refuse(['-serf-wan-port', '-2'], 'ports.serf_wan: invalid port -2');
  refuse(['-config-file', configFile({ gossip_wan: { probe_intervall: '1s' } })], 'gossip_wan: invalid config key probe_intervall');
  refuse(['-config-file', configFile({ gossip_wan: { suspicion_mult: 0 } })], 'gossip_wan.suspicion_mult must be positive');
  refuse(['-advertise-wan', 'not-an-ip'], 'advertise_addr_wan: invalid ip address: not-an-ip');
  refuse(['-config-file', configFile({ retry_join_wan: 'x' })], 'retry_join_wan must be a list of strings');
});

test('translate_wan_addrs: off by default, a boolean from the config file, anything else refused', (t) => {
  t.false(resolveAgentConfig(base).translateWanAddrs);
  t.true(resolveAgentConfig([...base, '-config-file', configFile({ translate_wan_addrs: true })]).translateWanAddrs);
  const err = t.throws(() => resolveAgentConfig([...base, '-config-file', configFile({ translate_wan_addrs: 'yes' })]));
  t.true(err instanceof ConfigError);
  t.regex(err?.message ?? '', /translate_wan_addrs must be a boolean/);
});
