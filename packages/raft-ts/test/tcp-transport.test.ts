import { connect } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import test from 'ava';
import { TcpTransport, type TcpTransportOptions, RAFT_PREAMBLE_PLAIN, encodeBatch, FrameKind, encodeFrame } from '../src/tcp.js';
import { message } from '../src/index.js';
import { waitFor } from './_kv-machine.js';
import { makeTestPki } from './_test-pki.js';
import { transportContract } from './_transport-contract.js';
import { type Endpoint, recordingEndpoint, snapMessage } from './_transport-endpoint.js';

type Opts = Omit<TcpTransportOptions, 'id' | 'listen' | 'onRefused'>;

async function endpoint(t: { teardown(fn: () => Promise<void>): void }, id: string, port = 0, opts: Opts = {}): Promise<Endpoint<TcpTransport> & { refused: string[] }> {
  const refused: string[] = [];
  const transport = new TcpTransport({ id, listen: `127.0.0.1:${port}`, backoffInitialMs: 20, backoffMaxMs: 200, onRefused: (r) => refused.push(r), ...opts });
  return { ...(await recordingEndpoint(t, transport)), refused };
}

transportContract(endpoint);

const hb = (term: number, from = 'a', to = 'b') => message({ type: 'heartbeat', from, to, term });

test('appends are pipelined: thousands sent without waiting arrive in order', async (t) => {
  const a = await endpoint(t, 'a');
  const b = await endpoint(t, 'b');
  a.transport.setPeer('b', b.transport.address);
  for (let i = 1; i <= 3000; i++) {
    a.transport.send(message({ type: 'app', from: 'a', to: 'b', term: 1, index: i, entries: [{ term: 1, index: i + 1, type: 'normal', data: new Uint8Array(100) }] }));
    if (i % 100 === 0) await new Promise((r) => setImmediate(r));
  }
  await waitFor(() => b.received.length === 3000, 20_000, 'every append');
  t.deepEqual(
    b.received.map((r) => r.m.index),
    Array.from({ length: 3000 }, (_, i) => i + 1),
  );
});

test('a snapshot over the receiver limit is refused and reported failed', async (t) => {
  const a = await endpoint(t, 'a');
  const b = await endpoint(t, 'b', 0, { maxSnapshotBytes: 1024 * 1024 });
  a.transport.setPeer('b', b.transport.address);
  a.transport.send(snapMessage(2 * 1024 * 1024));
  await waitFor(() => a.snapshotStatus.length === 1, 10_000, 'snapshot status');
  t.false(a.snapshotStatus[0]!.ok);
  t.is(b.received.length, 0);
  t.true(b.refused.some((r) => /snapshot larger than the limit/.test(r)));
});

/** Writes raw bytes to a transport's port; resolves when the transport closes the connection. */
function closedAfter(port: number, bytes: Buffer[]): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, 15_000);
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    s.on('connect', () => {
      for (const b of bytes) s.write(b);
    });
  });
}

test('oversize frames, garbage and non-Raft first bytes close the connection; the transport keeps serving', async (t) => {
  const b = await endpoint(t, 'b', 0, { maxFrameBytes: 4096 });
  const huge = Buffer.alloc(5);
  huge.writeUInt32BE(2 ** 31, 0);
  huge[4] = FrameKind.batch;
  t.true(await closedAfter(b.transport.port, [Buffer.of(RAFT_PREAMBLE_PLAIN), huge]), 'a 2 GiB length is refused');
  t.true(
    await closedAfter(b.transport.port, [Buffer.of(RAFT_PREAMBLE_PLAIN), encodeFrame(FrameKind.batch, Buffer.from('not protobuf at all, just text'))]),
    'an undecodable batch',
  );
  t.true(await closedAfter(b.transport.port, [Buffer.of(RAFT_PREAMBLE_PLAIN), encodeFrame(FrameKind.snapshotAck, Buffer.alloc(0))]), 'a frame kind a receiver never gets');
  t.true(await closedAfter(b.transport.port, [Buffer.from('GET / HTTP/1.1\r\n\r\n')]), 'HTTP');
  t.is(b.received.length, 0);
  t.true(b.refused.some((r) => /exceeds the limit of 4096/.test(r)));
  t.true(b.refused.some((r) => /undecodable/.test(r)));
  t.true(b.refused.some((r) => /not a Raft connection/.test(r)));
  // A well-formed frame on a fresh connection still gets through.
  const good = encodeFrame(FrameKind.batch, encodeBatch([hb(9, 'x', 'b')]));
  const s = connect(b.transport.port, '127.0.0.1');
  t.teardown(() => {
    s.destroy();
  });
  s.write(Buffer.of(RAFT_PREAMBLE_PLAIN));
  s.write(good);
  await waitFor(() => b.received.length === 1, 15_000, 'the good frame');
  t.is(b.received[0]!.m.term, 9);
});

test('mutual TLS: peers with certificates from the CA talk; plaintext, other CAs and refused names are closed', async (t) => {
  const pki = makeTestPki('raft', t.teardown.bind(t));
  const rogue = makeTestPki('rogue', t.teardown.bind(t));
  const serverName = 'server.dc1.consul';
  const sa = pki.issue(serverName);
  const sb = pki.issue(serverName);
  const client = pki.issue('client.dc1.consul');
  const other = rogue.issue(serverName);
  const tlsFor = (c: { cert: Buffer; key: Buffer }, ca = pki.ca): Opts => ({
    requireTls: true,
    serverTls: () => ({ ca, cert: c.cert, key: c.key, requestCert: true, rejectUnauthorized: true }),
    dial: () => ({ tls: { ca, cert: c.cert, key: c.key, servername: serverName, checkServerIdentity: (_h, cert) => checkServerIdentity(serverName, cert) } }),
    authorize: (auth) => auth.sslPeerCertificate !== undefined && checkServerIdentity(serverName, auth.sslPeerCertificate) === undefined,
  });
  const a = await endpoint(t, 'a', 0, tlsFor(sa));
  const b = await endpoint(t, 'b', 0, tlsFor(sb));
  a.transport.setPeer('b', b.transport.address);
  b.transport.setPeer('a', a.transport.address);
  a.transport.send(hb(3));
  b.transport.send(hb(3, 'b', 'a'));
  await waitFor(() => b.received.length === 1 && a.received.length === 1, 10_000, 'heartbeats both ways over TLS');
  a.transport.send(snapMessage(1024 * 1024 + 5));
  await waitFor(() => a.snapshotStatus.length === 1, 10_000, 'snapshot over TLS');
  t.true(a.snapshotStatus[0]!.ok);

  // Outsiders: each sends a heartbeat with a higher term, none may arrive.
  const plain = await endpoint(t, 'p');
  const noCert = await endpoint(t, 'n', 0, { dial: () => ({ tls: { ca: pki.ca, servername: serverName } }) });
  const otherCa = await endpoint(t, 'o', 0, tlsFor(other, rogue.ca));
  const clientCert = await endpoint(t, 'c', 0, { dial: () => ({ tls: { ca: pki.ca, cert: client.cert, key: client.key, servername: serverName } }) });
  for (const e of [plain, noCert, otherCa, clientCert]) {
    e.transport.setPeer('b', b.transport.address);
    e.transport.send(hb(99, e.transport.id, 'b'));
  }
  await waitFor(() => b.refused.length >= 2 && [plain, otherCa, noCert, clientCert].every((e) => e.unreachable.includes('b')), 10_000, 'outsiders closed');
  t.true(
    b.refused.some((r) => /plaintext Raft connection refused/.test(r)),
    'plaintext',
  );
  t.true(
    b.refused.some((r) => /not authorized by its certificate/.test(r)),
    'a CA-signed certificate that does not name a server',
  );
  t.false(
    b.received.some((r) => r.m.term === 99),
    'no outsider message was delivered',
  );
});
