#!/usr/bin/env node
// The 1-proposer commit path of `npm run bench -- raft` with the Raft logic taken out, to show what
// the parts under it cost on this machine. Three processes: the leader writes one 256-byte entry
// and sends it to both followers, each follower writes it and acknowledges, and a round ends when
// the leader's own write is durable and one follower acknowledged (a quorum of three).
// The path is `<net>+<disk>`:
// - net `tcp`: a TCP socket with no delay; `grpc`: raft-ts's GrpcTransport with Raft's app and
//   appResp messages;
// - disk `file`: an append plus fdatasync on a plain file; `level`: LevelStorage.save with fsync,
//   the entry and hard state a Raft server writes per append; `wal`: the same on WalStorage.
// Driven by bench/raft.mjs over IPC:
//   node bench-floor.mjs <net+disk> <leader|follower> <id> <dir> <port> <peers-json>
import { closeSync, fdatasync, mkdirSync, openSync, write } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { GrpcTransport } from '../dist/src/grpc.js';
import { WalStorage } from '../dist/src/index.js';
import { LevelStorage } from '../dist/src/level.js';

const [path, role, id, dir, port, peersJson] = process.argv.slice(2);
const [netKind, diskKind] = path.split('+');
const peers = JSON.parse(peersJson);
const others = Object.keys(peers).filter((p) => p !== id);
const ENTRY_BYTES = 256;
mkdirSync(dir, { recursive: true });

function pct(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function fail(err) {
  console.error(err);
  process.exit(1);
}

/** A disk: `append(index, data)` resolves once the entry is durable. */
async function openDisk() {
  if (diskKind === 'file') {
    const fd = openSync(join(dir, 'log'), 'w');
    process.on('exit', () => closeSync(fd));
    return {
      append: (_index, data) =>
        new Promise((resolve, reject) => {
          write(fd, data, (err) => (err ? reject(err) : fdatasync(fd, (e) => (e ? reject(e) : resolve()))));
        }),
    };
  }
  if (diskKind === 'level' || diskKind === 'wal') {
    const storage = diskKind === 'level' ? await LevelStorage.open(join(dir, 'level')) : await WalStorage.open(join(dir, 'wal'));
    return {
      append: (index, data) => storage.save({ entries: [{ term: 1, index, type: 'normal', data }], hardState: { term: 1, vote: 'l', commit: index - 1 } }, true),
    };
  }
  throw new Error(`unknown disk ${diskKind}`);
}

/** Calls `onFrame` with each complete `size`-byte frame read from `sock`. */
function frames(sock, size, onFrame) {
  let buf = Buffer.alloc(0);
  sock.on('data', (d) => {
    buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
    while (buf.length >= size) {
      onFrame(buf.subarray(0, size));
      buf = buf.subarray(size);
    }
  });
}

/**
 * A network between the leader and its followers: `handlers.entry(index, data, ack)` runs on a
 * follower for each entry; `handlers.ack(index)` on the leader for each acknowledgement. Returns
 * `send(index, data)` (leader: to every follower).
 */
async function openNet(handlers) {
  if (netKind === 'tcp') {
    const FRAME = 8 + ENTRY_BYTES;
    if (role === 'follower') {
      const server = createServer((sock) => {
        sock.setNoDelay(true);
        frames(sock, FRAME, (frame) => {
          const head = Buffer.from(frame.subarray(0, 8));
          handlers.entry(head.readUInt32BE(4), frame.subarray(8), () => sock.write(head));
        });
      });
      await new Promise((r) => server.listen(Number(port), '127.0.0.1', r));
      return undefined;
    }
    const socks = await Promise.all(
      others.map(
        (f) =>
          new Promise((resolve, reject) => {
            const [host, p] = peers[f].split(':');
            const s = connect(Number(p), host, () => resolve(s));
            s.once('error', reject);
            s.setNoDelay(true);
            frames(s, 8, (ack) => handlers.ack(ack.readUInt32BE(4)));
          }),
      ),
    );
    const frame = Buffer.alloc(FRAME);
    return (index, data) => {
      frame.writeUInt32BE(index, 4);
      frame.set(data, 8);
      for (const s of socks) s.write(frame);
    };
  }
  if (netKind === 'grpc') {
    const transport = new GrpcTransport({ id, listen: `127.0.0.1:${port}`, peers });
    const message = (type, to, index, entries) => ({ type, from: id, to, term: 1, logTerm: 1, index, entries, commit: index, reject: false, rejectHint: 0, context: '' });
    await transport.start({
      onMessage: (m) => {
        if (m.type === 'appResp') return handlers.ack(m.index);
        if (m.type !== 'app' || m.entries.length === 0) return;
        const e = m.entries[0];
        handlers.entry(e.index, e.data, () => transport.send(message('appResp', m.from, e.index, [])));
      },
      onUnreachable: () => {},
      onSnapshotStatus: () => {},
    });
    return (index, data) => {
      const entries = [{ term: 1, index, type: 'normal', data }];
      for (const f of others) transport.send(message('app', f, index - 1, entries));
    };
  }
  throw new Error(`unknown net ${netKind}`);
}

const disk = await openDisk();
let onAck = () => {};
const send = await openNet({
  entry: (index, data, ack) => disk.append(index, data).then(ack, fail),
  ack: (index) => onAck(index),
});

let lastIndex = 0;
async function rounds(durationMs) {
  const data = new Uint8Array(ENTRY_BYTES).fill(120);
  const lat = [];
  const end = performance.now() + durationMs;
  while (performance.now() < end) {
    const t0 = performance.now();
    const index = ++lastIndex;
    await new Promise((resolve) => {
      let own = false;
      let acked = false;
      onAck = (i) => {
        if (i !== index) return;
        acked = true;
        if (own) resolve();
      };
      send(index, data);
      disk.append(index, data).then(() => {
        own = true;
        if (acked) resolve();
      }, fail);
    });
    lat.push(performance.now() - t0);
  }
  lat.sort((a, b) => a - b);
  return { rounds: lat.length, p50: pct(lat, 50), p99: pct(lat, 99) };
}

process.on('message', async (msg) => {
  if (msg.cmd === 'run') process.send({ id: msg.id, ...(await rounds(msg.durationMs)) });
  if (msg.cmd === 'stop') process.exit(0);
});
process.send({ ready: true });
