/**
 * Findings 6 and 7 of the hostile-input review, through an agent's real gossip port: a spoofed
 * `dead` with an incarnation no refutation can beat evicted a healthy node for good, and the TCP
 * side buffered 16 MiB frames from any number of unauthenticated connections. Also
 * `encrypt_verify_incoming` / `encrypt_verify_outgoing`, which were ignored.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import test from 'ava';
import { type Proc, ProcessCluster, getText, until } from './_process-cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Member {
  Name: string;
  Status: number;
}

async function statusOn(observer: Proc, name: string): Promise<number | undefined> {
  const members = JSON.parse((await getText(observer.httpPort, '/v1/agent/members')).text) as Member[];
  return members.find((m) => m.Name === name)?.Status;
}

function sendUdp(port: number, payload: unknown): Promise<void> {
  const sock = createSocket('udp4');
  return new Promise((resolve, reject) => {
    sock.send(Buffer.from(JSON.stringify(payload)), port, '127.0.0.1', (err) => {
      sock.close();
      if (err) reject(err);
      else resolve();
    });
  });
}

function rssKiB(p: Proc): number {
  const status = readFileSync(`/proc/${p.child!.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

test('spoofed dead messages with huge incarnations do not evict a healthy member', async (t) => {
  const c = new ProcessCluster(t);
  const [server] = await c.startServers(1);
  const client = await c.startClient({ join: server });
  await until(async () => (await statusOn(server!, client.name)) === 1, 20_000, 'the client to join');

  for (const inc of [2 ** 53 - 1, 2 ** 32 - 1, 2 ** 32, 1000]) {
    await sendUdp(server!.serfPort, [{ t: 'dead', node: client.name, inc, from: 'spoofer' }]);
    await sendUdp(server!.serfPort, [{ t: 'suspect', node: client.name, inc, from: 'spoofer' }]);
  }
  // The believable accusation (1000) is refuted at once; the others are never believed.
  await sleep(1500);
  for (let i = 0; i < 10; i++) {
    t.is(await statusOn(server!, client.name), 1, `the client is alive on the server (${i})`);
    await sleep(300);
  }
});

test('a flood of unauthenticated gossip streams announcing 16 MiB frames is refused at once and costs no memory', async (t) => {
  const c = new ProcessCluster(t);
  const [server] = await c.startServers(1);
  const s = server!;
  const before = rssKiB(s);
  const sockets: Socket[] = [];
  const closed: Promise<number>[] = [];
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  for (let i = 0; i < 100; i++) {
    const sock = connect({ host: '127.0.0.1', port: s.serfPort });
    sock.on('error', () => undefined);
    sockets.push(sock);
    const started = Date.now();
    closed.push(new Promise((resolve) => sock.once('close', () => resolve(Date.now() - started))));
    sock.once('connect', () => {
      const head = Buffer.alloc(5);
      head.writeUInt32BE(16 * 1024 * 1024, 0);
      head[4] = 0x7b;
      sock.write(head);
      // Keep pushing data, as the attack did, until the agent hangs up.
      const pump = (): void => {
        if (sock.destroyed) return;
        if (sock.write(chunk)) setImmediate(pump);
        else sock.once('drain', pump);
      };
      pump();
    });
  }
  t.teardown(() => {
    for (const sock of sockets) sock.destroy();
  });
  const times = await Promise.race([Promise.all(closed), sleep(5000).then(() => undefined)]);
  t.truthy(times, 'every stream was closed by the agent within 5 s');
  const leader = await getText(s.httpPort, '/v1/status/leader', {}, 2000);
  t.is(leader.status, 200, 'HTTP answers');
  const grown = rssKiB(s) - before;
  t.true(grown < 64 * 1024, `RSS grew by ${grown} KiB`);
});

test('encrypt_verify_incoming and encrypt_verify_outgoing set to false let a keyed agent join a plaintext one, as in a live rollout', async (t) => {
  const c = new ProcessCluster(t);
  const [server] = await c.startServers(1);
  const key = randomBytes(32).toString('base64');
  const client = await c.startClient({
    join: server,
    config: { encrypt: key, encrypt_verify_incoming: false, encrypt_verify_outgoing: false },
  });
  await until(async () => (await statusOn(server!, client.name)) === 1, 20_000, 'the keyed client to join the plaintext server');
  // With verification on (the default), the same key refuses the plaintext cluster.
  const strict = await c.startClient({ join: server, config: { encrypt: key } });
  await sleep(3000);
  t.is(await statusOn(server!, strict.name), undefined, 'a fully verified agent does not join a plaintext cluster');
});
