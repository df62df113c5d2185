// `npm run bench -- registrator [--count N] [--concurrency C]`: the sidecar against a real Docker
// daemon and a dev agent. N containers with one published port are started, C at a time, and
// each is timed from `docker start` returning to its service answering in DNS; once all run, the
// registrations are compared with the containers (missing, duplicates); then they are stopped,
// C at a time, and timed from `docker stop` returning to the name leaving DNS; what the sidecar
// still has registered at the end is an orphan. Needs Docker and a static busybox (the test
// images are built locally, see test/_docker-images.ts).
import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { concordBin, printTargets, root, startChild, stop } from './_http-load.mjs';

const require = createRequire(join(root, 'packages', 'registrator', 'package.json'));
const Docker = require('dockerode');

const TARGETS = { p50: 150, p99: 500 };
const POLL_MS = 2;
const GIVE_UP_MS = 10_000;

function parseArgs(args) {
  const o = { count: 200, concurrency: 20 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--count') o.count = Number(args[++i]);
    else if (a === '--concurrency') o.concurrency = Number(args[++i]);
    else throw new Error(`unknown argument ${a} (use --count N --concurrency C)`);
  }
  if (!(o.count > 0 && o.concurrency > 0)) throw new Error('--count and --concurrency must be positive');
  return o;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

// ---- DNS: one SRV question, the answer's rcode, count and first port ---------------------------

function srvQuery(id, name) {
  const labels = name.split('.').filter(Boolean);
  const parts = [Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of labels) parts.push(Buffer.from([l.length]), Buffer.from(l, 'ascii'));
  parts.push(Buffer.from([0, 0, 33, 0, 1]));
  return Buffer.concat(parts);
}

function skipName(buf, at) {
  while (at < buf.length) {
    const len = buf[at];
    if (len === 0) return at + 1;
    if ((len & 0xc0) === 0xc0) return at + 2;
    at += len + 1;
  }
  return at;
}

function readSrv(buf) {
  const rcode = buf[3] & 15;
  const answers = buf.readUInt16BE(6);
  if (answers === 0) return { rcode, answers, port: 0 };
  let at = skipName(buf, 12) + 4;
  at = skipName(buf, at) + 10;
  return { rcode, answers, port: buf.readUInt16BE(at + 4) };
}

class DnsProbe {
  #sock = createSocket('udp4');
  #next = 1;
  #waiting = new Map();

  constructor(port) {
    this.port = port;
    this.#sock.on('message', (msg) => {
      const w = this.#waiting.get(msg.readUInt16BE(0));
      if (!w) return;
      this.#waiting.delete(msg.readUInt16BE(0));
      w(readSrv(msg));
    });
  }

  ask(name) {
    const id = this.#next;
    this.#next = (this.#next % 65535) + 1;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        resolve(undefined);
      }, 200);
      this.#waiting.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.#sock.send(srvQuery(id, name), this.port, '127.0.0.1');
    });
  }

  /** Polls until `done(answer)`; resolves to the time it took in ms, or NaN after GIVE_UP_MS. */
  async until(name, done, from) {
    for (;;) {
      const r = await this.ask(name);
      if (r && done(r)) return performance.now() - from;
      if (performance.now() - from > GIVE_UP_MS) return NaN;
      await sleep(POLL_MS);
    }
  }

  close() {
    this.#sock.close();
  }
}

// ---- the run ------------------------------------------------------------------------------------

async function pool(n, concurrency, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

export async function run(args) {
  const o = parseArgs(args);
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (err) {
    process.stderr.write(`Docker is not reachable: ${err.message}\n`);
    process.exitCode = 1;
    return;
  }
  const images = await import(pathToFileURL(join(root, 'test', 'dist', '_docker-images.js')).href);
  images.ensureTestImages();
  const image = images.imageRef('nginx');
  const tag = `cbench${process.pid}`;
  const host = `bench-${process.pid}`;
  const containers = [];
  const removeAll = async () => {
    const left = await docker.listContainers({ all: true, filters: { label: [`concord.bench=${tag}`] } });
    await Promise.all(
      left.map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => {}),
      ),
    );
  };
  const onSignal = () => void removeAll();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const { child: agent, value: ports } = await startChild(
    process.execPath,
    [concordBin, 'agent', '-dev', '-node', host, '-http-port', '0', '-dns-port', '0', '-server-port', '0', '-serf-lan-port', '0', '-log-level', 'warn'],
    (out) => {
      const m = /Client Addr: .*\(HTTP: (\d+).*DNS: (\d+)\)/.exec(out);
      return m ? { http: Number(m[1]), dns: Number(m[2]) } : undefined;
    },
  );
  const { child: sidecar } = await startChild(
    process.execPath,
    [concordBin, 'registrator', '-hostname', host, '-ip', '127.0.0.1', '-log-level', 'info', `consul://127.0.0.1:${ports.http}`],
    (out) => (out.includes('registrator started') ? true : undefined),
  );
  const dns = new DnsProbe(ports.dns);
  const appear = [];
  const leave = [];
  let wrongPort = 0;
  let duplicateAnswers = 0;
  try {
    console.log(`# registrator: ${o.count} containers with one published port, ${o.concurrency} at a time; dev agent and sidecar on this host`);
    const t0 = performance.now();
    await pool(o.count, o.concurrency, async (i) => {
      const service = `${tag}-${i}`;
      const c = await docker.createContainer({
        Image: image,
        name: `${tag}-${i}`,
        Labels: { 'concord.bench': tag },
        Env: [`SERVICE_80_NAME=${service}`, 'SERVICE_443_IGNORE=true'],
        ExposedPorts: { '80/tcp': {} },
        HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
      });
      containers.push({ c, service });
      await c.start();
      const started = performance.now();
      const ms = await dns.until(`${service}.service.consul`, (r) => r.answers > 0, started);
      appear.push(ms);
      const published = Number((await c.inspect()).NetworkSettings.Ports['80/tcp'][0].HostPort);
      const r = await dns.ask(`${service}.service.consul`);
      if (r && r.port !== published) wrongPort++;
      if (r && r.answers > 1) duplicateAnswers++;
    });
    const startSecs = (performance.now() - t0) / 1000;

    // Every container runs: the sidecar's registrations must be exactly one per container.
    const registered = async () => {
      const all = await (await fetch(`http://127.0.0.1:${ports.http}/v1/agent/services`)).json();
      return Object.values(all).filter((s) => s.ID.startsWith(`${host}:`));
    };
    const running = await registered();
    const perService = new Map();
    for (const s of running) perService.set(s.Service, (perService.get(s.Service) ?? 0) + 1);
    const duplicates = [...perService.values()].filter((n) => n > 1).length + duplicateAnswers;
    const missing = containers.filter((x) => !perService.has(x.service)).length;

    const t1 = performance.now();
    await pool(containers.length, o.concurrency, async (i) => {
      const { c, service } = containers[i];
      await c.stop({ t: 5 });
      const stopped = performance.now();
      leave.push(await dns.until(`${service}.service.consul`, (r) => r.rcode === 3, stopped));
      await c.remove({ force: true });
    });
    const stopSecs = (performance.now() - t1) / 1000;
    await sleep(500);
    const orphans = (await registered()).length;

    const row = (phase, xs) => {
      const ok = xs.filter(Number.isFinite).sort((a, b) => a - b);
      return {
        phase,
        n: `${ok.length}/${xs.length}`,
        p50: quantile(ok, 0.5),
        p99: quantile(ok, 0.99),
        max: ok[ok.length - 1],
      };
    };
    const rows = [row('docker start -> answers in DNS', appear), row('docker stop -> gone from DNS', leave)];
    console.log('');
    console.log('phase                              n        p50 ms   p99 ms   max ms');
    console.log('---------------------------------  -------  -------  -------  -------');
    for (const r of rows) {
      console.log(`${r.phase.padEnd(33)}  ${r.n.padEnd(7)}  ${r.p50.toFixed(1).padStart(7)}  ${r.p99.toFixed(1).padStart(7)}  ${r.max.toFixed(1).padStart(7)}`);
    }
    console.log('');
    console.log(`starting took ${startSecs.toFixed(1)} s, stopping ${stopSecs.toFixed(1)} s; wrong port in DNS: ${wrongPort}; not registered while running: ${missing}`);
    const timedOut = appear.length + leave.length - [...appear, ...leave].filter(Number.isFinite).length;
    printTargets([
      ['start -> DNS p50', `${rows[0].p50.toFixed(1)} ms`, `<= ${TARGETS.p50} ms`, rows[0].p50 <= TARGETS.p50],
      ['start -> DNS p99', `${rows[0].p99.toFixed(1)} ms`, `<= ${TARGETS.p99} ms`, rows[0].p99 <= TARGETS.p99],
      ['stop -> gone p50', `${rows[1].p50.toFixed(1)} ms`, `<= ${TARGETS.p50} ms`, rows[1].p50 <= TARGETS.p50],
      ['stop -> gone p99', `${rows[1].p99.toFixed(1)} ms`, `<= ${TARGETS.p99} ms`, rows[1].p99 <= TARGETS.p99],
      ['timed out (10 s)', String(timedOut), '0', timedOut === 0],
      ['duplicates', String(duplicates), '0', duplicates === 0],
      ['orphans at the end', String(orphans), '0', orphans === 0],
    ]);
  } finally {
    dns.close();
    await stop(sidecar);
    await stop(agent);
    await removeAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
