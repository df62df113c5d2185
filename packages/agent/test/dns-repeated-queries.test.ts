import test from 'ava';

import { buildQuery, decode, startFixture, tcpExchange, udpExchange } from './_dns-helpers.js';

/** The same query bytes with another ID. */
function withId(q: Buffer, id: number): Buffer {
  const out = Buffer.from(q);
  out.writeUInt16BE(id, 0);
  return out;
}

test('a repeated query gets the same answer under its own ID, over UDP and TCP', async (t) => {
  const f = await startFixture(t);
  f.register({ Node: 'n1', Address: '10.0.0.1', Service: { ID: 'web', Service: 'web', Port: 80 } });
  const q = buildQuery('web.service.consul', 'A', { id: 1 });
  const first = await udpExchange(f.port, q);
  t.truthy(first);
  for (const id of [2, 0xbeef, 0xffff]) {
    const r = await udpExchange(f.port, withId(q, id));
    t.is(r!.readUInt16BE(0), id);
    t.deepEqual(r!.subarray(2), first!.subarray(2));
  }
  const overTcp = await tcpExchange(f.server.tcpPort, withId(q, 7));
  t.is(overTcp!.readUInt16BE(0), 7);
  t.deepEqual(
    decode(overTcp!).answers.map((a) => a.address),
    ['10.0.0.1'],
  );
});

test('a catalog change is answered at once, also for a query asked just before', async (t) => {
  const f = await startFixture(t);
  f.register({ Node: 'n1', Address: '10.0.0.1', Service: { ID: 'web', Service: 'web', Port: 80 } });
  const q = buildQuery('web.service.consul', 'A', { id: 9 });
  t.deepEqual(
    decode((await udpExchange(f.port, q))!).answers.map((a) => a.address),
    ['10.0.0.1'],
  );
  t.deepEqual(
    decode((await udpExchange(f.port, q))!).answers.map((a) => a.address),
    ['10.0.0.1'],
  );
  f.register({ Node: 'n1', Address: '10.0.0.2', Service: { ID: 'web', Service: 'web', Port: 80 } });
  t.deepEqual(
    decode((await udpExchange(f.port, q))!).answers.map((a) => a.address),
    ['10.0.0.2'],
  );
  f.deregister('n1', 'web');
  const gone = decode((await udpExchange(f.port, q))!);
  t.is(gone.rcode, 3);
  t.deepEqual(gone.answers, []);
});

test('the question keeps the spelling of each query, and flags are answered per query', async (t) => {
  const f = await startFixture(t);
  f.register({ Node: 'n1', Address: '10.0.0.1', Service: { ID: 'web', Service: 'web', Port: 80 } });
  const lower = await udpExchange(f.port, buildQuery('web.service.consul', 'A', { id: 1 }));
  const upper = await udpExchange(f.port, buildQuery('WEB.Service.consul', 'A', { id: 1 }));
  const upperAgain = await udpExchange(f.port, buildQuery('WEB.Service.consul', 'A', { id: 2 }));
  t.true(lower!.includes(Buffer.from('web')));
  t.true(upper!.includes(Buffer.from('WEB')));
  t.deepEqual(upperAgain!.subarray(2), upper!.subarray(2));
  const noRd = await udpExchange(f.port, buildQuery('web.service.consul', 'A', { id: 3, rd: false }));
  t.is(noRd!.readUInt16BE(2) & 0x0100, 0);
  t.is(lower!.readUInt16BE(2) & 0x0100, 0x0100);
});

test('answers with several instances are still shuffled per query', async (t) => {
  const f = await startFixture(t);
  for (let i = 0; i < 8; i++) {
    f.register({ Node: `n${i}`, Address: `10.0.1.${i + 1}`, Service: { ID: 'web', Service: 'web', Port: 80 } });
  }
  const q = buildQuery('web.service.consul', 'A', { id: 1 });
  const orders = new Set<string>();
  for (let i = 0; i < 20; i++) {
    orders.add(
      decode((await udpExchange(f.port, withId(q, i)))!)
        .answers.map((a) => a.address)
        .join(','),
    );
  }
  // 8 records: the chance that 20 random orders are all the same is (1/8!)^19.
  t.true(orders.size > 1, `${orders.size} distinct orders`);
});
