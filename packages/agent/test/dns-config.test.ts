import test from 'ava';

import { defaultDnsConfig, parseDnsConfig } from '../src/dns/index.js';
import { serviceTtl } from '../src/dns/config.js';
import { parseRecursor } from '../src/dns/recursor.js';

test('defaults match Consul', (t) => {
  const c = defaultDnsConfig();
  t.true(c.allowStale);
  t.is(c.maxStale, 87600 * 3600 * 1000);
  t.is(c.udpAnswerLimit, 3);
  t.is(c.aRecordLimit, 0);
  t.false(c.enableTruncate);
  t.false(c.onlyPassing);
  t.is(c.recursorTimeout, 2000);
  t.deepEqual(c.soa, { refresh: 3600, retry: 600, expire: 86400, minTtl: 0 });
  t.deepEqual(parseDnsConfig(undefined), c);
});

test('snake_case keys and Go durations are read into the config', (t) => {
  const c = parseDnsConfig({
    allow_stale: false,
    max_stale: '10s',
    node_ttl: '30s',
    service_ttl: { '*': '5s', 'db-*': '1m', web: '1h30m' },
    enable_truncate: true,
    only_passing: true,
    udp_answer_limit: 5,
    a_record_limit: 2,
    recursor_timeout: '500ms',
    recursor_strategy: 'random',
    soa: { min_ttl: 60, refresh: 10 },
  });
  t.false(c.allowStale);
  t.is(c.maxStale, 10_000);
  t.is(c.nodeTtl, 30);
  t.deepEqual(c.serviceTtl, { '*': 5, 'db-*': 60, web: 5400 });
  t.true(c.enableTruncate && c.onlyPassing);
  t.is(c.udpAnswerLimit, 5);
  t.is(c.aRecordLimit, 2);
  t.is(c.recursorTimeout, 500);
  t.is(c.recursorStrategy, 'random');
  t.deepEqual(c.soa, { refresh: 10, retry: 600, expire: 86400, minTtl: 60 });
  t.is(serviceTtl(c, 'web'), 5400);
  t.is(serviceTtl(c, 'db-main'), 60);
  t.is(serviceTtl(c, 'cache'), 5);
});

test('bad input is rejected with a message naming the key', (t) => {
  t.throws(() => parseDnsConfig({ only_passing: 'yes' }), { message: /dns_config\.only_passing must be a boolean/ });
  t.throws(() => parseDnsConfig({ node_ttl: 30 }), { message: /dns_config\.node_ttl must be a duration/ });
  t.throws(() => parseDnsConfig({ node_ttl: '30 parsecs' }), { message: /dns_config\.node_ttl: invalid duration/ });
  t.throws(() => parseDnsConfig({ udp_answer_limit: -1 }), { message: /udp_answer_limit must be a non-negative integer/ });
  t.throws(() => parseDnsConfig({ recursor_strategy: 'fastest' }), { message: /recursor_strategy/ });
  t.throws(() => parseDnsConfig({ bogus: 1 }), { message: /unknown key "bogus"/ });
  t.throws(() => parseDnsConfig([]), { message: /dns_config must be an object/ });
  t.throws(() => parseDnsConfig({ service_ttl: { web: 'soon' } }), { message: /service_ttl\.web/ });
});

test('dns_config durations must be non-negative Go durations', (t) => {
  t.is(parseDnsConfig({ node_ttl: '87600h' }).nodeTtl, 87600 * 3600);
  t.is(parseDnsConfig({ max_stale: '0' }).maxStale, 0);
  t.throws(() => parseDnsConfig({ node_ttl: '' }), { message: 'dns_config.node_ttl: invalid duration ""' });
  t.throws(() => parseDnsConfig({ node_ttl: '5' }), { message: 'dns_config.node_ttl: invalid duration "5"' });
  t.throws(() => parseDnsConfig({ node_ttl: '-5s' }), { message: 'dns_config.node_ttl: invalid duration "-5s"' });
});

test('recursor addresses default to port 53 and accept IPv6', (t) => {
  t.deepEqual(parseRecursor('8.8.8.8'), { host: '8.8.8.8', port: 53 });
  t.deepEqual(parseRecursor('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 });
  t.deepEqual(parseRecursor('::1'), { host: '::1', port: 53 });
  t.deepEqual(parseRecursor('[::1]:5300'), { host: '::1', port: 5300 });
  t.throws(() => parseRecursor('dns.example:53'), { message: /Invalid recursor address/ });
});
