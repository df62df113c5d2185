import { type AddressInfo, createServer } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import test from 'ava';
import { TcpTransport, type TcpTransportOptions, RequestError } from '../src/tcp.js';
import { message } from '../src/index.js';
import { waitFor } from './_kv-machine.js';
import { makeTestPki } from './_test-pki.js';
import { recordingEndpoint } from './_transport-endpoint.js';

type Opts = Omit<TcpTransportOptions, 'id' | 'listen'>;

async function endpoint(t: { teardown(fn: () => Promise<void>): void }, id: string, opts: Opts = {}) {
  return recordingEndpoint(t, new TcpTransport({ id, listen: '127.0.0.1:0', backoffInitialMs: 20, backoffMaxMs: 200, ...opts }));
}

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

async function rejection(p: Promise<unknown>): Promise<RequestError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RequestError) return err;
    throw err;
  }
  throw new Error('the request was answered');
}

test('requests are answered on the peer connection, out of order, beside Raft messages', async (t) => {
  const a = await endpoint(t, 'a');
  const b = await endpoint(t, 'b');
  a.transport.setPeer('b', b.transport.address);
  b.transport.serveRequests(async (payload) => {
    const s = text(payload);
    // Later requests are answered first: replies are matched by number, not by order.
    await new Promise((r) => setTimeout(r, 100 - Number(s.split(' ')[1])));
    if (s === 'req 13') throw new Error('thirteen refused');
    return Buffer.from(s.toUpperCase());
  });
  const sent = Array.from({ length: 50 }, (_, i) => a.transport.request('b', Buffer.from(`req ${i}`), 10_000));
  a.transport.send(message({ type: 'heartbeat', from: 'a', to: 'b', term: 2 }));
  const settled = await Promise.allSettled(sent);
  for (const [i, s] of settled.entries()) {
    if (i === 13) {
      t.is(s.status, 'rejected');
      const err = (s as PromiseRejectedResult).reason as RequestError;
      t.true(err instanceof RequestError);
      t.is(err.message, 'thirteen refused');
      t.true(err.delivered && err.served, 'a handler failure was delivered and served');
    } else {
      t.is(s.status, 'fulfilled', `request ${i}`);
      t.is(text((s as PromiseFulfilledResult<Uint8Array>).value), `REQ ${i}`);
    }
  }
  await waitFor(() => b.received.length === 1, 5000, 'the heartbeat');
});

test('a request is not delivered to an unknown or unreachable peer, and is not served where no handler is set', async (t) => {
  const a = await endpoint(t, 'a');
  const b = await endpoint(t, 'b');
  const unknown = await rejection(a.transport.request('zz', Buffer.from('x'), 1000));
  t.false(unknown.delivered);
  a.transport.setPeer('b', b.transport.address);
  const unserved = await rejection(a.transport.request('b', Buffer.from('x'), 5000));
  t.true(unserved.delivered);
  t.false(unserved.served);
  // A port nobody listens on: closed at once by the peer's kernel.
  const gone = await endpoint(t, 'g');
  const port = gone.transport.port;
  await gone.transport.close();
  a.transport.setPeer('g', `127.0.0.1:${port}`);
  const refused = await rejection(a.transport.request('g', Buffer.from('x'), 5000));
  t.false(refused.delivered, refused.message);
  t.regex(refused.message, /^No connection established/);
});

test('a request whose connection breaks before the reply has an unknown outcome; the next one reconnects', async (t) => {
  const a = await endpoint(t, 'a');
  const b = await endpoint(t, 'b');
  a.transport.setPeer('b', b.transport.address);
  let calls = 0;
  let hang: (() => void) | undefined;
  b.transport.serveRequests(async (payload) => {
    calls++;
    if (text(payload) === 'hang') {
      await new Promise<void>((r) => (hang = r));
    }
    return payload;
  });
  t.is(text(await a.transport.request('b', Buffer.from('first'), 5000)), 'first');
  const pending = a.transport.request('b', Buffer.from('hang'), 10_000);
  await waitFor(() => hang !== undefined, 5000, 'the request to reach the handler');
  // The receiver drops its connections (as a restart would).
  const port = b.transport.port;
  await b.transport.close();
  const broken = await rejection(pending);
  t.true(broken.delivered, 'sent on a connection that was open: its outcome is unknown');
  hang?.();
  const b2 = await endpoint(t, 'b', { listen: `127.0.0.1:${port}` } as Opts);
  b2.transport.serveRequests(async (p) => Buffer.concat([Buffer.from('again '), p]));
  // The first attempts may find the old connection's backoff; a few tries, bounded in count and time.
  let answer: Uint8Array | undefined;
  for (let i = 0; i < 50 && answer === undefined; i++) {
    answer = await a.transport.request('b', Buffer.from('x'), 2000).catch(async () => {
      await new Promise((r) => setTimeout(r, 50));
      return undefined;
    });
  }
  t.is(text(answer as Uint8Array), 'again x');
  t.is(calls, 2);
});

test('a request that gets no reply in time is rejected with an unknown outcome', async (t) => {
  const a = await endpoint(t, 'a');
  const b = await endpoint(t, 'b');
  a.transport.setPeer('b', b.transport.address);
  b.transport.serveRequests(() => new Promise(() => {}));
  const err = await rejection(a.transport.request('b', Buffer.from('x'), 200));
  t.true(err.delivered);
  t.regex(err.message, /no reply within 200 ms/);
});

test('requests over mutual TLS reach only authorized peers', async (t) => {
  const pki = makeTestPki('raft-req', t.teardown.bind(t));
  const serverName = 'server.dc1.consul';
  const tlsFor = (c: { cert: Buffer; key: Buffer }): Opts => ({
    requireTls: true,
    serverTls: () => ({ ca: pki.ca, cert: c.cert, key: c.key, requestCert: true, rejectUnauthorized: true }),
    dial: () => ({ tls: { ca: pki.ca, cert: c.cert, key: c.key, servername: serverName, checkServerIdentity: (_h, cert) => checkServerIdentity(serverName, cert) } }),
    authorize: (auth) => auth.sslPeerCertificate !== undefined && checkServerIdentity(serverName, auth.sslPeerCertificate) === undefined,
  });
  const a = await endpoint(t, 'a', tlsFor(pki.issue(serverName)));
  const b = await endpoint(t, 'b', tlsFor(pki.issue(serverName)));
  const plain = await endpoint(t, 'p');
  const client = await endpoint(t, 'c', tlsFor(pki.issue('client.dc1.consul')));
  let served = 0;
  b.transport.serveRequests(async (p) => {
    served++;
    return p;
  });
  for (const e of [a, plain, client]) e.transport.setPeer('b', b.transport.address);
  t.is(text(await a.transport.request('b', Buffer.from('over tls'), 5000)), 'over tls');
  for (const e of [plain, client]) {
    const err = await rejection(e.transport.request('b', Buffer.from('outsider'), 5000));
    t.true(err instanceof RequestError, `${e.transport.id}: ${err.message}`);
  }
  t.is(served, 1, 'no outsider request reached the handler');
});

test('a peer that takes no requests (one that closes at the unknown frame kind, as an older version does) never receives one', async (t) => {
  // A Raft port that knows only Raft's frames: it closes the connection at the first other one.
  const seen: Buffer[] = [];
  const old = createServer((s) => {
    s.on('data', (d) => {
      seen.push(d);
      s.destroy();
    });
  });
  await new Promise<void>((r) => old.listen(0, '127.0.0.1', r));
  t.teardown(() => old.close());
  const a = await endpoint(t, 'a');
  a.transport.setPeer('old', `127.0.0.1:${(old.address() as AddressInfo).port}`);
  const err = await rejection(a.transport.request('old', Buffer.from('must not arrive'), 5000));
  t.false(err.delivered, err.message);
  t.false(Buffer.concat(seen).includes(Buffer.from('must not arrive')), 'only the hello was sent');
  // Until the backoff passes, further requests fail at once, undelivered.
  const again = await rejection(a.transport.request('old', Buffer.from('x'), 5000));
  t.false(again.delivered);
});
