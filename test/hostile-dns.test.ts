/**
 * Findings 10 and 11 of the hostile-input review on the DNS port: EDNS version > 0 was answered
 * NOERROR instead of BADVERS, an OPT record with a false length was accepted, and the DNS-over-TCP
 * idle timer was reset by every byte, so a client dripping bytes held a connection forever.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import test from 'ava';
import { startAgent } from '@concord/testkit';

/** A query for `consul.service.consul` A with one OPT record built from the given fields. */
function query(opt: { version: number; rdlength: number; rdata?: Buffer }): Buffer {
  const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1]);
  const name = Buffer.concat(['consul', 'service', 'consul'].map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])).concat([Buffer.from([0])]));
  const q = Buffer.from([0, 1, 0, 1]);
  const rr = Buffer.alloc(11);
  rr.writeUInt16BE(41, 1); // OPT
  rr.writeUInt16BE(1232, 3); // UDP size
  rr[5] = 0; // extended RCODE
  rr[6] = opt.version;
  rr.writeUInt16BE(opt.rdlength, 9);
  return Buffer.concat([header, name, q, rr, opt.rdata ?? Buffer.alloc(0)]);
}

function ask(port: number, packet: Buffer): Promise<Buffer> {
  const sock = createSocket('udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error('no answer within 3 s'));
    }, 3000);
    sock.once('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(m);
    });
    sock.send(packet, port, '127.0.0.1');
  });
}

/** The full RCODE of a reply: header RCODE plus the OPT record's extended RCODE (RFC 6891). */
function rcodeOf(reply: Buffer): number {
  const low = reply.readUInt16BE(2) & 0xf;
  const arcount = reply.readUInt16BE(10);
  if (arcount === 0) return low;
  // The OPT record is last: root name (1 byte), type, class, TTL (extended rcode first), rdlength.
  const rdlength = reply.readUInt16BE(reply.length - 2);
  const opt = reply.length - 11 - rdlength;
  if (reply.readUInt16BE(opt + 1) !== 41) return low;
  return (reply[opt + 5]! << 4) | low;
}

test('EDNS version 1 is answered BADVERS with an OPT record of version 0, version 0 still NOERROR', async (t) => {
  const a = await startAgent(t, { dns: true });
  // The leader registers the consul service shortly after it is elected (later on a loaded machine).
  const deadline = Date.now() + 30_000;
  while ((await ask(a.dnsPort, query({ version: 0, rdlength: 0 }))).readUInt16BE(6) === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const bad = await ask(a.dnsPort, query({ version: 1, rdlength: 0 }));
  t.is(bad.readUInt16BE(0), 0x1234);
  t.is(rcodeOf(bad), 16, 'BADVERS');
  t.is(bad[bad.length - 11 + 6], 0, 'the OPT record says version 0');
  t.is(bad.readUInt16BE(4), 1, 'the question is echoed');
  const good = await ask(a.dnsPort, query({ version: 0, rdlength: 0 }));
  t.is(rcodeOf(good), 0);
  t.true(good.readUInt16BE(6) >= 1, 'answered');
});

test('an OPT record whose RDLENGTH runs past the packet is refused with FORMERR', async (t) => {
  const a = await startAgent(t, { dns: true });
  const reply = await ask(a.dnsPort, query({ version: 0, rdlength: 10 }));
  t.is(rcodeOf(reply), 1);
  // A length shorter than the options it carries is refused too.
  const short = await ask(a.dnsPort, query({ version: 0, rdlength: 2, rdata: Buffer.from([0, 8, 0, 4, 0, 1, 0, 0]) }));
  t.is(rcodeOf(short), 1);
});

test('a DNS-over-TCP client dripping one byte at a time is disconnected at the idle deadline', async (t) => {
  const a = await startAgent(t, { dns: true });
  const sock = connect({ host: '127.0.0.1', port: a.dnsPort });
  sock.on('error', () => undefined);
  await new Promise((r) => sock.once('connect', r));
  const started = Date.now();
  const closed = new Promise<number>((r) => sock.once('close', () => r(Date.now() - started)));
  // A 40-byte query announced, then one byte every second: never a whole query.
  sock.write(Buffer.from([0, 40]));
  const drip = setInterval(() => {
    if (!sock.destroyed) sock.write(Buffer.from([0]));
  }, 1000);
  t.teardown(() => {
    clearInterval(drip);
    sock.destroy();
  });
  const ms = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 20_000))]);
  t.true(ms > 0, 'the agent closed the connection');
  t.true(ms < 15_000, `closed after ${ms} ms`);
});
