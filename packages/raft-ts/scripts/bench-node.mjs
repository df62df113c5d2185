#!/usr/bin/env node
// One Raft server for `npm run bench -- raft` (bench/raft.mjs): WalStorage (`wal`, what servers
// use) or LevelStorage (`level`) with fsync on, the framed TCP transport (`tcp`) or the gRPC one
// (`grpc`) on loopback, driven by its parent over IPC.
import { RaftNode, WalStorage } from '../dist/src/index.js';
import { GrpcTransport } from '../dist/src/grpc.js';
import { TcpTransport } from '../dist/src/tcp.js';
import { LevelStorage } from '../dist/src/level.js';

const [id, dir, port, peersJson, kind = 'tcp', storageKind = 'wal'] = process.argv.slice(2);
const peers = JSON.parse(peersJson);

class CounterMachine {
  n = 0;
  apply() {
    return ++this.n;
  }
  snapshot() {
    return new TextEncoder().encode(String(this.n));
  }
  restore(data) {
    this.n = Number(new TextDecoder().decode(data));
  }
}

/** RAFT_BENCH_INLINE_SYNC_BYTES sets WalStorage's inlineSyncBytes (0: every synced write in the thread pool). */
function inlineSyncBytes() {
  const v = process.env.RAFT_BENCH_INLINE_SYNC_BYTES;
  return v === undefined ? {} : { inlineSyncBytes: Number(v) };
}
const storage = storageKind === 'level' ? await LevelStorage.open(dir) : await WalStorage.open(dir, inlineSyncBytes());
// Time every synced write (one per Ready that needs an fsync) to show the disk's share of latency.
const syncedWriteMs = [];
const save = storage.save.bind(storage);
storage.save = async (batch, sync) => {
  const t0 = performance.now();
  await save(batch, sync);
  if (sync) syncedWriteMs.push(performance.now() - t0);
};
const Transport = kind === 'grpc' ? GrpcTransport : TcpTransport;
const transport = new Transport({ id, listen: `127.0.0.1:${port}`, peers });
const node = await RaftNode.start({
  id,
  storage,
  transport,
  stateMachine: new CounterMachine(),
  bootstrap: Object.keys(peers),
  tickMs: 50,
  snapshotThreshold: 100_000,
  trailingLogs: 10_000,
});

function pct(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function load({ concurrency, durationMs, size }) {
  const data = new Uint8Array(size).fill(120);
  const lat = [];
  let errors = 0;
  const before = { syncs: storage.syncs, entries: storage.entriesWritten };
  const start = performance.now();
  const end = start + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await node.propose(data);
        lat.push(performance.now() - t0);
      } catch {
        errors++;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const secs = (performance.now() - start) / 1000;
  lat.sort((a, b) => a - b);
  return {
    commits: lat.length,
    commitsPerSec: lat.length / secs,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    errors,
    syncs: storage.syncs - before.syncs,
    entries: storage.entriesWritten - before.entries,
  };
}

process.on('message', async (msg) => {
  switch (msg.cmd) {
    case 'status':
      process.send({ id: msg.id, isLeader: node.isLeader() });
      break;
    case 'load':
      process.send({ id: msg.id, ...(await load(msg)) });
      break;
    case 'disk': {
      const w = syncedWriteMs.splice(0).sort((a, b) => a - b);
      process.send({ id: msg.id, syncs: storage.syncs, entries: storage.entriesWritten, writeP50: pct(w, 50), writeP99: pct(w, 99) });
      break;
    }
    case 'stop':
      await node.stop();
      process.send({ id: msg.id });
      process.exit(0);
  }
});
process.send({ ready: true });
