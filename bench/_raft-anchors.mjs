// The anchors the Raft benchmarks set their latencies beside, measured in the same run: this
// machine's raw fsync rate (write + fs.fsyncSync of 256 bytes) and a loopback TCP round trip.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { median } from './_http-load.mjs';

/** fsyncs per second on a file under `dir`. */
export function fsyncRate(dir, ms = 1000) {
  const fd = openSync(join(dir, 'fsync-probe'), 'w');
  const buf = Buffer.alloc(256, 1);
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    writeSync(fd, buf);
    fsyncSync(fd);
    n++;
  }
  closeSync(fd);
  return n / (ms / 1000);
}

/** Median loopback TCP round trip in ms (one byte echoed). */
export async function loopbackRttMs(rounds = 2000) {
  const server = createServer((s) => s.on('data', (d) => s.write(d)));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const sock = connect(server.address().port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise((r) => sock.once('connect', r));
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    sock.write('x');
    await new Promise((r) => sock.once('data', r));
    times.push(performance.now() - t0);
  }
  sock.destroy();
  server.close();
  return median(times);
}
