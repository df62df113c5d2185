/**
 * A real HAProxy in front of tiny node:http backends, following a service through SRV lookups
 * of the agent's DNS (`server-template ... resolvers`), as operators run it. HAProxy gets its own
 * config in a temp dir, ephemeral ports, and is started and killed by PID.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { type Server, createServer, request } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const hasHaproxy = !spawnSync('haproxy', ['-v']).error;

/** A backend that answers every request with its own name. */
export interface Backend {
  name: string;
  port: number;
  close(): Promise<void>;
}

export function startBackend(name: string): Promise<Backend> {
  const server: Server = createServer((_req, res) => {
    res.setHeader('Connection', 'close');
    res.end(name);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        name,
        port,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

/** A TCP port free right now on 127.0.0.1 (HAProxy cannot bind port 0 and report it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface HaproxyOptions {
  /** The agent's DNS port. */
  dnsPort: number;
  /** The SRV name the servers follow, e.g. `_web._tcp.service.consul`. */
  srvName: string;
  /** Server slots of the template. */
  slots?: number;
  /** `hold valid` (how long a resolution is trusted), e.g. `1s`. */
  holdValid?: string;
  /** `timeout resolve` (time between resolutions), e.g. `1s`. */
  resolveEvery?: string;
}

export interface Haproxy {
  /** The frontend port. */
  port: number;
  pid: number;
  /** Everything HAProxy printed. */
  output(): string;
  stop(): Promise<void>;
}

export function haproxyConfig(o: HaproxyOptions & { port: number }): string {
  return [
    'global',
    '  maxconn 512',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 5s',
    '  timeout server 5s',
    'resolvers consul',
    `  nameserver agent 127.0.0.1:${o.dnsPort}`,
    '  accepted_payload_size 8192',
    `  hold valid ${o.holdValid ?? '1s'}`,
    '  resolve_retries 3',
    `  timeout resolve ${o.resolveEvery ?? '1s'}`,
    '  timeout retry 1s',
    'frontend fe',
    `  bind 127.0.0.1:${o.port}`,
    '  default_backend be',
    'backend be',
    '  balance roundrobin',
    `  server-template srv ${o.slots ?? 10} ${o.srvName} resolvers consul resolve-prefer ipv4 init-addr none`,
    '',
  ].join('\n');
}

/** Starts HAProxy in the foreground on a free port; it is killed by PID on `stop()`. */
export async function startHaproxy(o: HaproxyOptions): Promise<Haproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'concord-haproxy-'));
  const port = await freePort();
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig({ ...o, port }));
  const check = spawnSync('haproxy', ['-c', '-f', cfg], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy rejects its config: ${check.stdout}${check.stderr}`);
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const pid = child.pid as number;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
      }, 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // wait for the frontend to accept connections
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${out}`);
    if ((await get(port).catch(() => null)) !== null) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`haproxy did not listen on ${port}: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, pid, output: () => out, stop };
}

/** One GET through HAProxy: the backend's name, or `503`-style status text when none answered. */
export function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(res.statusCode === 200 ? body : `status ${res.statusCode}`));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Sends `n` requests one after another and counts answers per backend name. */
export async function spread(port: number, n: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const who = await get(port);
    counts.set(who, (counts.get(who) ?? 0) + 1);
  }
  return counts;
}
