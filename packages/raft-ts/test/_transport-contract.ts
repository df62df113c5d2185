/**
 * What every Raft transport must do, run by each transport's test file: fields intact, snapshots
 * in chunks and reassembled, heartbeats not behind a snapshot, failures reported, reconnection.
 */
import test from 'ava';
import { message, type Transport } from '../src/index.js';
import { waitFor } from './_kv-machine.js';
import type { Endpoint } from './_transport-endpoint.js';
import { snapMessage } from './_transport-endpoint.js';

export interface PeerTransport extends Transport {
  readonly address: string;
  readonly port: number;
  setPeer(id: string, address: string): void;
}

export type MakeEndpoint = (t: { teardown(fn: () => Promise<void>): void }, id: string, port?: number) => Promise<Endpoint<PeerTransport>>;

export function transportContract(endpoint: MakeEndpoint): void {
  test('messages are encoded, batched and delivered with every field intact', async (t) => {
    const a = await endpoint(t, 'a');
    const b = await endpoint(t, 'b');
    a.transport.setPeer('b', b.transport.address);
    const app = message({
      type: 'app',
      from: 'a',
      to: 'b',
      term: 7,
      logTerm: 6,
      index: 41,
      commit: 40,
      entries: [{ term: 7, index: 42, type: 'conf', data: new Uint8Array([1, 2, 3]) }],
    });
    const hb = message({ type: 'heartbeat', from: 'a', to: 'b', term: 7, commit: 40, context: 'r1' });
    const resp = message({ type: 'appResp', from: 'a', to: 'b', term: 7, index: 9, reject: true, rejectHint: 5, logTerm: 2 });
    a.transport.send(app);
    a.transport.send(hb);
    a.transport.send(resp);
    await waitFor(() => b.received.length === 3, 15_000, 'three messages');
    const byType = new Map(b.received.map((r) => [r.m.type, r.m]));
    const got = byType.get('app')!;
    t.is(got.term, 7);
    t.is(got.logTerm, 6);
    t.is(got.index, 41);
    t.is(got.commit, 40);
    t.is(got.entries[0]!.type, 'conf');
    t.deepEqual([...got.entries[0]!.data], [1, 2, 3]);
    t.is(byType.get('heartbeat')!.context, 'r1');
    t.true(byType.get('appResp')!.reject);
    t.is(byType.get('appResp')!.rejectHint, 5);
  });

  test('a snapshot larger than one chunk is reassembled and reported installed', async (t) => {
    const a = await endpoint(t, 'a');
    const b = await endpoint(t, 'b');
    a.transport.setPeer('b', b.transport.address);
    const m = snapMessage(3 * 1024 * 1024 + 123);
    a.transport.send(m);
    await waitFor(() => a.snapshotStatus.length === 1, 10_000, 'snapshot status');
    t.deepEqual(
      a.snapshotStatus.map((s) => [s.id, s.ok]),
      [['b', true]],
    );
    const got = b.received[0]!.m;
    t.is(got.type, 'snap');
    t.is(got.snapshot!.meta.index, 900);
    t.deepEqual(got.snapshot!.meta.conf, { voters: ['a', 'b', 'c'], learners: ['d'] });
    t.is(got.snapshot!.data.byteLength, m.snapshot!.data.byteLength);
    t.is(Buffer.compare(Buffer.from(got.snapshot!.data), Buffer.from(m.snapshot!.data)), 0);
  });

  test('heartbeats are delivered while a large snapshot is still streaming', async (t) => {
    const a = await endpoint(t, 'a');
    const b = await endpoint(t, 'b');
    a.transport.setPeer('b', b.transport.address);
    a.transport.send(snapMessage(64 * 1024 * 1024));
    a.transport.send(message({ type: 'heartbeat', from: 'a', to: 'b', term: 4 }));
    await waitFor(() => a.snapshotStatus.length === 1, 60_000, 'snapshot status');
    const hb = b.received.find((r) => r.m.type === 'heartbeat');
    t.truthy(hb);
    t.true(hb!.at < a.snapshotStatus[0]!.at, 'the heartbeat arrived before the snapshot finished');
  });

  test('a snapshot to an unreachable peer is reported failed', async (t) => {
    const a = await endpoint(t, 'a');
    a.transport.setPeer('b', '127.0.0.1:1');
    a.transport.send(snapMessage(1000));
    await waitFor(() => a.snapshotStatus.length === 1, 10_000, 'snapshot status');
    t.false(a.snapshotStatus[0]!.ok);
  });

  test('after a peer restarts, the stream is reopened and messages flow again', async (t) => {
    const a = await endpoint(t, 'a');
    let b = await endpoint(t, 'b');
    const port = b.transport.port;
    a.transport.setPeer('b', b.transport.address);
    a.transport.send(message({ type: 'heartbeat', from: 'a', to: 'b', term: 1 }));
    await waitFor(() => b.received.length === 1, 15_000, 'first heartbeat');
    await b.transport.close();
    for (let i = 0; i < 5; i++) {
      a.transport.send(message({ type: 'heartbeat', from: 'a', to: 'b', term: 1 }));
      await new Promise((r) => setTimeout(r, 20));
    }
    await waitFor(() => a.unreachable.includes('b'), 15_000, 'b reported unreachable');
    b = await endpoint(t, 'b', port);
    await waitFor(
      () => {
        a.transport.send(message({ type: 'heartbeat', from: 'a', to: 'b', term: 2 }));
        return b.received.some((r) => r.m.term === 2);
      },
      10_000,
      'heartbeats to reach the restarted peer',
    );
    t.pass();
  });
}
