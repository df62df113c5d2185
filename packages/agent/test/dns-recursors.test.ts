import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

import test from 'ava';

import { buildQuery, decode, digTest, dig, startFixture, tcpExchange, udpExchange } from './_dns-helpers.js';

/** A fake upstream answering every A question with 192.0.2.1 over UDP and TCP on one port. */
async function upstream(t: import('ava').ExecutionContext): Promise<{ port: number; seen: string[] }> {
  const seen: string[] = [];
  const answer = (q: Buffer): Buffer => {
    const qEnd = q.indexOf(0, 12) + 5;
    const head = Buffer.from(q.subarray(0, qEnd));
    head.writeUInt16BE(0x8180, 2);
    head.writeUInt16BE(1, 6);
    head.writeUInt16BE(0, 10);
    seen.push(q.subarray(13, qEnd - 5).toString('latin1'));
    return Buffer.concat([head, Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1])]);
  };
  const tcp = createServer((s) => {
    s.on('data', (d) => {
      const r = answer(d.subarray(2));
      const len = Buffer.alloc(2);
      len.writeUInt16BE(r.length);
      s.end(Buffer.concat([len, r]));
    });
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const port = (tcp.address() as { port: number }).port;
  const udp = createSocket('udp4');
  udp.on('message', (m, r) => udp.send(answer(m), r.port, r.address));
  await new Promise<void>((resolve) => udp.bind(port, '127.0.0.1', resolve));
  t.teardown(() => {
    tcp.close();
    udp.close();
  });
  return { port, seen };
}

/** A port nobody answers on. */
async function silentPort(t: import('ava').ExecutionContext): Promise<number> {
  const udp = createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  t.teardown(() => udp.close());
  return udp.address().port;
}

digTest('names outside the domain are relayed to the recursors, with RA set', async (t) => {
  const up = await upstream(t);
  const f = await startFixture(t, { recursors: [`127.0.0.1:${up.port}`] });
  const r = await dig(f.port, 'example.org');
  t.is(r.status, 'NOERROR');
  t.deepEqual(
    r.answer.map((x) => x.data),
    ['192.0.2.1'],
  );
  t.true(r.flags.includes('ra'));
  const tcp = await dig(f.port, '+tcp', 'example.net');
  t.deepEqual(
    tcp.answer.map((x) => x.data),
    ['192.0.2.1'],
  );
  // answers in the domain advertise recursion too, and still come from the catalog
  f.register({ Node: 'n1', Address: '10.0.0.1' });
  const local = await dig(f.port, 'n1.node.consul');
  t.true(local.flags.includes('ra'));
  t.deepEqual(
    local.answer.map((x) => x.data),
    ['10.0.0.1'],
  );
  t.false(up.seen.some((s) => s.includes('consul')));
});

test('a failing recursor is skipped for the next, and SERVFAIL comes when all fail', async (t) => {
  const up = await upstream(t);
  const dead = await silentPort(t);
  const f = await startFixture(t, { recursors: [`127.0.0.1:${dead}`, `127.0.0.1:${up.port}`], config: { recursorTimeout: 200 } });
  const id = 0x1234;
  const ok = decode((await udpExchange(f.port, buildQuery('example.org', 'A', { id }))) as Buffer);
  t.is(ok.id, id);
  t.is(ok.answers[0]?.address, '192.0.2.1');
  const g = await startFixture(t, { recursors: [`127.0.0.1:${dead}`], config: { recursorTimeout: 200 } });
  const fail = decode((await udpExchange(g.port, buildQuery('example.org', 'A'))) as Buffer);
  t.is(fail.rcode, 2);
  t.is(fail.ra, 1);
  const tcpFail = decode((await tcpExchange(g.port, buildQuery('example.org', 'A'))) as Buffer);
  t.is(tcpFail.rcode, 2);
});
