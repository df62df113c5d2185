import test from 'ava';

import { buildQuery, data, decode, digTest, dig, registerMany, startFixture, tcpExchange, udpExchange } from './_dns-helpers.js';

digTest('without EDNS a UDP answer holds at most 3 records, a different random subset each time, TC clear', async (t) => {
  const f = await startFixture(t);
  const ips = registerMany(f, 'web', 10);
  const seen = new Set<string>();
  for (let i = 0; i < 12; i++) {
    const r = await dig(f.port, '+noedns', 'web.service.consul');
    t.is(r.status, 'NOERROR');
    t.false(r.flags.includes('tc'));
    t.is(r.answer.length, 3);
    for (const a of data(r.answer, 'A')) t.true(ips.includes(a));
    seen.add(data(r.answer, 'A').join(','));
  }
  t.true(seen.size > 1, 'the subset changes between queries');
  const tcp = await dig(f.port, '+tcp', 'web.service.consul');
  t.deepEqual(data(tcp.answer, 'A'), [...ips].sort());
});

digTest('enable_truncate sets TC on a trimmed UDP answer', async (t) => {
  const f = await startFixture(t, { config: { enableTruncate: true } });
  registerMany(f, 'web', 10);
  const r = await dig(f.port, '+noedns', '+ignore', 'web.service.consul');
  t.true(r.flags.includes('tc'));
  t.is(r.answer.length, 3);
  const small = await startFixture(t, { config: { enableTruncate: true } });
  registerMany(small, 'web', 2);
  t.false((await dig(small.port, '+noedns', 'web.service.consul')).flags.includes('tc'));
});

digTest('udp_answer_limit lowers the cap for plain UDP and a_record_limit caps every transport', async (t) => {
  const f = await startFixture(t, { config: { udpAnswerLimit: 2 } });
  registerMany(f, 'web', 10);
  t.is((await dig(f.port, '+noedns', 'web.service.consul')).answer.length, 2);
  const g = await startFixture(t, { config: { aRecordLimit: 4 } });
  registerMany(g, 'web', 10);
  t.is((await dig(g.port, '+tcp', 'web.service.consul')).answer.length, 4);
  t.is((await dig(g.port, 'web.service.consul', 'SRV')).answer.length, 10);
});

test('with EDNS the answer is trimmed only to the advertised size', async (t) => {
  const f = await startFixture(t);
  registerMany(f, 'web', 100);
  const big = await udpExchange(f.port, buildQuery('web.service.consul', 'A', { edns: 4096 }));
  t.is(decode(big as Buffer).answers.length, 100);
  for (const size of [512, 700, 1232]) {
    const reply = (await udpExchange(f.port, buildQuery('web.service.consul', 'SRV', { edns: size }))) as Buffer;
    t.true(reply.length <= size, `reply of ${reply.length} bytes fits ${size}`);
    const d = decode(reply);
    t.true(d.answers.length > 1 && d.answers.length < 100);
    t.is(d.tc, 0);
    // every SRV target keeps its address record, and nothing else is left over
    const targets = new Set(d.answers.map((a) => a.target));
    const glue = d.additionals.filter((a) => a.type === 1);
    t.deepEqual(new Set(glue.map((g) => g.name)), targets);
    t.is(d.additionals.filter((a) => a.type === 41).length, 1);
  }
});

test('without EDNS an SRV answer is capped and fits 512 bytes, while TCP returns everything', async (t) => {
  const f = await startFixture(t);
  registerMany(f, 'web', 100);
  const reply = (await udpExchange(f.port, buildQuery('web.service.consul', 'SRV'))) as Buffer;
  t.true(reply.length <= 512);
  const d = decode(reply);
  t.is(d.answers.length, 3);
  t.is(d.additionals.length, 3);
  const tcp = decode((await tcpExchange(f.port, buildQuery('web.service.consul', 'SRV'))) as Buffer);
  t.is(tcp.answers.length, 100);
  t.is(tcp.additionals.length, 100);
});

test('answers are shuffled per query', async (t) => {
  const f = await startFixture(t);
  registerMany(f, 'web', 10);
  const orders = new Set<string>();
  for (let i = 0; i < 10; i++) {
    const d = decode((await udpExchange(f.port, buildQuery('web.service.consul', 'A', { edns: 1232 }))) as Buffer);
    t.is(d.answers.length, 10);
    orders.add(d.answers.map((a) => a.address).join(','));
  }
  t.true(orders.size > 1);
});

test('replies keep the query ID and RD flag and echo the EDNS size', async (t) => {
  const f = await startFixture(t);
  registerMany(f, 'web', 1);
  for (const id of [0, 1, 0xbeef, 0xffff]) {
    const reply = (await udpExchange(f.port, buildQuery('web.service.consul', 'A', { id, edns: 1400 }))) as Buffer;
    t.is(reply.readUInt16BE(0), id);
    t.is(reply[2]! & 0x01, 1, 'RD copied');
    const d = decode(reply);
    t.is(d.additionals.find((a) => a.type === 41)?.class, 1400);
  }
  const noRd = (await udpExchange(f.port, buildQuery('web.service.consul', 'A', { rd: false }))) as Buffer;
  t.is(noRd[2]! & 0x01, 0);
});
