/**
 * A state machine with `snapshotPieces` is captured at once and stored later: proposals keep
 * committing while the pieces are taken, the log is compacted only once the snapshot is stored,
 * one snapshot is taken at a time, and a stop stores the one in progress.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryNetwork, MemoryStorage, RaftNode, type DurableStorage } from '../src/index.js';
import { LevelStorage } from '../src/level.js';
import { KvMachine, cmd, waitFor } from './_kv-machine.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** KvMachine whose snapshot pieces come one per key, each only when the test lets it through. */
class GatedKv extends KvMachine {
  captures: number[] = [];
  #waiting: (() => void)[] = [];
  open = false;

  snapshotPieces(): AsyncIterable<Uint8Array> {
    // the capture: a copy of the pairs (strings are immutable) at the applied index
    const pairs = [...this.map];
    this.captures.push(this.appliedIndex);
    const gate = (): Promise<void> => (this.open ? Promise.resolve() : new Promise((resolve) => this.#waiting.push(resolve)));
    return (async function* pieces() {
      yield enc.encode('[');
      for (const [i, p] of pairs.entries()) {
        await gate();
        yield enc.encode(`${i === 0 ? '' : ','}${JSON.stringify(p)}`);
      }
      yield enc.encode(']');
    })();
  }

  release(): void {
    this.open = true;
    for (const w of this.#waiting.splice(0)) w();
  }
}

async function single(
  t: { teardown(fn: () => Promise<void>): void },
  storage: DurableStorage,
  sm: GatedKv,
  opts: { snapshotThreshold: number; trailingLogs: number },
): Promise<RaftNode<number>> {
  const node = await RaftNode.start({ id: 'a', storage, transport: new MemoryNetwork().transport('a'), stateMachine: sm, bootstrap: ['a'], tickMs: 10, ...opts });
  // a stop waits for the snapshot in progress: let it finish
  t.teardown(() => (sm.release(), node.stop()));
  node.campaign();
  await waitFor(() => node.isLeaderReady(), 5000, 'leadership');
  return node;
}

test('proposals commit while a snapshot is being taken; it holds the state at its capture and the log is compacted only once it is stored', async (t) => {
  const storage = new MemoryStorage();
  const sm = new GatedKv();
  const node = await single(t, storage, sm, { snapshotThreshold: 20, trailingLogs: 5 });
  for (let i = 0; i < 25; i++) await node.propose(cmd(`k${i}=${i}`));
  await waitFor(() => node.snapshotInProgress() !== undefined, 2000, 'a snapshot to start');
  const captured = node.snapshotInProgress()!.index;
  t.is(sm.captures.length, 1);
  t.is(sm.captures[0], captured);
  // writes go on while the snapshot's pieces are held back
  for (let i = 0; i < 40; i++) await node.propose(cmd(`late${i}=${i}`));
  t.is(storage.snapshot().meta.index, 0, 'nothing stored yet');
  t.is(storage.firstIndex(), 1, 'the log is whole');
  t.is(node.snapshotInProgress()?.index, captured);
  t.is(sm.captures.length, 1, 'one snapshot at a time, although the threshold was passed again');
  void node.snapshotNow();
  t.is(sm.captures.length, 1, 'snapshotNow does nothing while one is being taken');

  // what was stored when the snapshot event came (the next one may follow quickly)
  const stores: { index: number; data: Uint8Array; firstIndex: number }[] = [];
  node.on('snapshot', (e) => stores.push({ index: e.index, data: storage.snapshot().data, firstIndex: storage.firstIndex() }));
  sm.release();
  await waitFor(() => stores.length > 0, 5000, 'the snapshot to be stored');
  t.is(stores[0]!.index, captured);
  const stored = new Map(JSON.parse(dec.decode(stores[0]!.data)) as [string, string][]);
  t.is(stored.get('k0'), '0');
  t.false(
    [...stored.keys()].some((k) => k.startsWith('late')),
    'writes applied after the capture are not in it',
  );
  t.is(stores[0]!.firstIndex, captured - 5 + 1, 'compacted to trailingLogs behind the snapshot');
  t.true(node.metrics.lastSnapshotBytes > 0);
  // the threshold was passed again meanwhile: the next one is taken at a later tick
  await waitFor(() => node.metrics.snapshotsTaken === 2, 5000, 'the next snapshot');
  t.is(sm.captures.length, 2);
  t.true(storage.snapshot().meta.index > captured);
});

test('a stop waits for the snapshot being taken and stores it; the restart restores it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-ts-async-snap-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const sm = new GatedKv();
  const node = await single(t, await LevelStorage.open(dir), sm, { snapshotThreshold: 1_000_000, trailingLogs: 2 });
  for (let i = 0; i < 30; i++) await node.propose(cmd(`k${i}=${i}`));
  void node.snapshotNow();
  const captured = node.snapshotInProgress()?.index;
  t.truthy(captured);
  const stopped = node.stop();
  setTimeout(() => sm.release(), 50);
  await stopped;

  const storage = await LevelStorage.open(dir);
  t.is(storage.snapshot().meta.index, captured ?? -1);
  t.is(storage.firstIndex(), (captured ?? 0) - 2 + 1);
  const again = new KvMachine();
  const restarted = await RaftNode.start({ id: 'a', storage, transport: new MemoryNetwork().transport('a'), stateMachine: again, tickMs: 10 });
  t.teardown(() => restarted.stop());
  t.is(again.map.get('k29'), '29');
  t.is(again.appliedIndex, captured ?? -1);
});

test('a follower that lags is sent the stored snapshot while the leader is writing a newer one, and catches up', async (t) => {
  const net = new MemoryNetwork();
  const ids = ['a', 'b', 'c'];
  const members = new Map<string, { node: RaftNode<number>; sm: GatedKv; storage: MemoryStorage }>();
  for (const id of ids) {
    const sm = new GatedKv();
    sm.open = true;
    const storage = new MemoryStorage();
    const node = await RaftNode.start({ id, storage, transport: net.transport(id), stateMachine: sm, bootstrap: ids, tickMs: 10, snapshotThreshold: 30, trailingLogs: 2 });
    // a stop waits for the snapshot in progress: let it finish
    t.teardown(() => (sm.release(), node.stop()));
    members.set(id, { node, sm, storage });
  }
  await waitFor(() => [...members.values()].some((m) => m.node.isLeaderReady()), 5000, 'a leader');
  const leaderId = ids.find((id) => members.get(id)!.node.isLeaderReady())!;
  const [otherId, laggingId] = ids.filter((id) => id !== leaderId) as [string, string];
  const leader = members.get(leaderId)!;
  const lagging = members.get(laggingId)!;
  net.cut(leaderId, laggingId);
  net.cut(otherId, laggingId);
  // the first snapshot is stored as usual
  for (let i = 0; i < 35; i++) await leader.node.propose(cmd(`k${i}=${i}`));
  await waitFor(() => leader.storage.snapshot().meta.index > 0, 5000, "the leader's first snapshot");
  const first = leader.storage.snapshot().meta.index;
  // the next one is held while being written
  leader.sm.open = false;
  for (let i = 35; i < 70; i++) await leader.node.propose(cmd(`k${i}=${i}`));
  await waitFor(() => leader.node.snapshotInProgress() !== undefined, 5000, 'a second snapshot to start');
  t.is(leader.storage.snapshot().meta.index, first);

  const installed: number[] = [];
  lagging.node.on('snapshot', (e) => {
    if (e.installed) installed.push(e.index);
  });
  net.heal();
  await waitFor(() => lagging.sm.map.get('k69') === '69', 5000, 'the lagging follower to catch up');
  t.true(lagging.node.metrics.snapshotsInstalled > 0, 'caught up through a snapshot');
  t.deepEqual(installed, [first], 'it was sent the snapshot stored before the one in progress');
  t.truthy(leader.node.snapshotInProgress(), 'the newer one was still being written');

  leader.sm.release();
  await waitFor(() => leader.node.snapshotInProgress() === undefined && leader.storage.snapshot().meta.index > first, 5000, 'the second snapshot');
  const r = await leader.node.propose(cmd('after=1'));
  await waitFor(() => lagging.node.status().applied >= r.index, 5000, 'replication after the snapshot');
});

test('snapshotNow resolves once its snapshot is stored; called while one is being taken, once that one is', async (t) => {
  const storage = new MemoryStorage();
  const sm = new GatedKv();
  const node = await single(t, storage, sm, { snapshotThreshold: 1_000_000, trailingLogs: 2 });
  for (let i = 0; i < 10; i++) await node.propose(cmd(`k${i}=${i}`));
  let firstDone = false;
  const first = node.snapshotNow().then(() => {
    firstDone = true;
  });
  const captured = node.snapshotInProgress()!.index;
  for (let i = 10; i < 20; i++) await node.propose(cmd(`k${i}=${i}`));
  let secondDone = false;
  const second = node.snapshotNow().then(() => {
    secondDone = true;
  });
  t.is(sm.captures.length, 1, 'nothing new is captured while one is being taken');
  await new Promise((r) => setTimeout(r, 50));
  t.false(firstDone || secondDone, 'neither resolves before the snapshot is stored');
  sm.release();
  await Promise.all([first, second]);
  t.is(storage.snapshot().meta.index, captured);
  // nothing is in progress now: the next call captures everything applied
  await node.snapshotNow();
  t.is(sm.captures.length, 2);
  t.is(storage.snapshot().meta.index, node.status().applied);
  // with nothing applied since, it resolves at once and captures nothing
  await node.snapshotNow();
  t.is(sm.captures.length, 2);
});
