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

test('a kept answer of three shuffled records still comes in every order, each about as often', async (t) => {
  const f = await startFixture(t);
  for (let i = 0; i < 3; i++) f.register({ Node: `n${i}`, Address: `10.0.2.${i + 1}`, Service: { ID: 'api', Service: 'api', Port: 80 } });
  const q = buildQuery('api.service.consul', 'A', { id: 1 });
  const orders = new Map<string, number>();
  const firsts = new Map<string, number>();
  const asked = 360;
  for (let i = 0; i < asked; i++) {
    const r = decode((await udpExchange(f.port, withId(q, i)))!);
    t.is(r.id, i);
    const order = r.answers.map((a) => a.address);
    t.deepEqual([...order].sort(), ['10.0.2.1', '10.0.2.2', '10.0.2.3']);
    orders.set(order.join(','), (orders.get(order.join(',')) ?? 0) + 1);
    firsts.set(order[0]!, (firsts.get(order[0]!) ?? 0) + 1);
  }
  // 3! orders, 60 expected each: missing one has a chance of 6 * (5/6)^360, below 1e-27
  t.is(orders.size, 6);
  // each record first about a third of the time (120 expected; 60 and 180 are > 7 sigma away)
  for (const [address, n] of firsts) t.true(n > 60 && n < 180, `${address} first ${n} times of ${asked}`);
});

test('an answer without an SOA record is kept while the catalog is unchanged; NXDOMAIN follows the clock', async (t) => {
  let reads = 0;
  const f = await startFixture(t, {
    wrapCatalog: (c) => ({
      get datacenter() {
        return c.datacenter;
      },
      get index() {
        return c.index;
      },
      serviceInstances: (service, tag) => {
        reads++;
        return c.serviceInstances(service, tag);
      },
      node: (name) => c.node(name),
      nodes: () => c.nodes(),
      preparedQuery: (id, ip) => c.preparedQuery(id, ip),
      serviceByAddress: (ip) => c.serviceByAddress(ip),
    }),
  });
  for (let i = 0; i < 3; i++) f.register({ Node: `n${i}`, Address: `10.0.3.${i + 1}`, Service: { ID: 'db', Service: 'db', Port: 80 } });
  const names = ['db', 'missing'];
  const soaSerial = (r: Buffer) => {
    // the SOA record closes the reply: its serial is the fifth 32-bit word from the end
    return r.readUInt32BE(r.length - 20);
  };
  for (const name of names) t.truthy(await udpExchange(f.port, buildQuery(`${name}.service.consul`, 'A', { id: 1 })));
  t.is(reads, 2);
  const firstMissing = (await udpExchange(f.port, buildQuery('missing.service.consul', 'A', { id: 2 })))!;
  t.is(decode(firstMissing).rcode, 3);
  await new Promise((r) => setTimeout(r, 2100));
  const again = decode((await udpExchange(f.port, buildQuery('db.service.consul', 'A', { id: 3 })))!);
  t.is(again.answers.length, 3);
  t.is(reads, 2, 'db was answered from what was kept');
  const laterMissing = (await udpExchange(f.port, buildQuery('missing.service.consul', 'A', { id: 4 })))!;
  t.is(reads, 3, 'the NXDOMAIN was built again');
  t.true(soaSerial(laterMissing) >= soaSerial(firstMissing) + 2, 'its SOA serial moved with the clock');
  f.register({ Node: 'n9', Address: '10.0.3.9', Service: { ID: 'db', Service: 'db', Port: 80 } });
  // over TCP: a plain UDP reply holds at most three records
  const changed = decode((await tcpExchange(f.server.tcpPort, buildQuery('db.service.consul', 'A', { id: 5 })))!);
  t.is(changed.answers.length, 4);
  t.is(reads, 4);
});
