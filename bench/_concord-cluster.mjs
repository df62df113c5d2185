// Shared pieces of the cluster benchmarks: a 3-server Concord cluster (and client agents joined to
// it) on loopback ephemeral ports, from this checkout's `concord` or another checkout's, the
// leader lookup, and certificates made with `concord tls`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { concordBin, freePorts, nodeArgsFrom, startChild, until } from './_http-load.mjs';

const BANNER = /Client Addr: .*\(HTTP: (\d+)[\s\S]*Cluster Addr: .*\(LAN: (\d+)/;

/** Starts one agent from its `args` (node flags, the binary, `agent ...`) and waits for its banner. */
export async function startAgent(agent) {
  const { child } = await startChild(process.execPath, agent.args, (out) => (BANNER.test(out) ? true : undefined));
  agent.child = child;
  return agent;
}

/**
 * A CA, a server certificate (server.dc1.consul, localhost, 127.0.0.1; server and client auth) and
 * a client certificate, made under `dir` with `concord tls` as an operator would.
 */
export function makePki(dir) {
  mkdirSync(dir, { recursive: true });
  const cli = (...args) => execFileSync(process.execPath, [concordBin, 'tls', ...args], { cwd: dir, stdio: 'ignore' });
  cli('ca', 'create');
  cli('cert', 'create', '-server', '-dc', 'dc1');
  cli('cert', 'create', '-client', '-dc', 'dc1');
  return {
    ca: join(dir, 'consul-agent-ca.pem'),
    serverCert: join(dir, 'dc1-server-consul-0.pem'),
    serverKey: join(dir, 'dc1-server-consul-0-key.pem'),
    clientCert: join(dir, 'dc1-client-consul-0.pem'),
    clientKey: join(dir, 'dc1-client-consul-0-key.pem'),
  };
}

/** The mutual-TLS agent config (verify_incoming, verify_outgoing, verify_server_hostname) using `pki`. */
export function mtlsConfigFile(pki, dir) {
  const file = join(dir, 'tls.json');
  writeFileSync(
    file,
    JSON.stringify({
      tls: {
        defaults: { ca_file: pki.ca, cert_file: pki.serverCert, key_file: pki.serverKey, verify_incoming: true, verify_outgoing: true },
        internal_rpc: { verify_server_hostname: true },
      },
    }),
  );
  return file;
}

/** The load generator opens up to 256 connections from one address, beyond the per-client cap of 200. */
function limitsFile(dir) {
  const file = join(dir, 'bench-limits.json');
  writeFileSync(file, JSON.stringify({ limits: { http_max_conns_per_client: 0 } }));
  return file;
}

function agentArgs(bin, name, dir, ports, joins, extra) {
  return [
    ...nodeArgsFrom('CLUSTER_BENCH_NODE_ARGS'),
    bin,
    'agent',
    ...extra,
    '-node',
    name,
    '-data-dir',
    join(dir, name),
    '-bind',
    '127.0.0.1',
    '-client',
    '127.0.0.1',
    '-http-port',
    String(ports.http),
    '-dns-port',
    '-1',
    '-server-port',
    String(ports.rpc),
    '-serf-lan-port',
    String(ports.serf),
    '-serf-wan-port',
    '0',
    '-log-level',
    'warn',
    ...joins.flatMap((p) => ['-retry-join', `127.0.0.1:${p}`]),
    '-retry-interval',
    '1s',
    '-config-file',
    limitsFile(dir),
  ];
}

/**
 * Starts a `size`-server cluster (default 3) under `dir` from `bin` (default: this checkout's) with an optional extra
 * config file, and waits until its leader accepts a write. Each server retry-joins the others, so a
 * restarted one finds the cluster. Servers: { name, args, url, serf, child }.
 */
export async function concordCluster(dir, { configFile, bin = concordBin, size = 3 } = {}) {
  mkdirSync(dir, { recursive: true });
  const ports = await freePorts(size * 3);
  const at = (i) => ({ http: ports[i * 3], rpc: ports[i * 3 + 1], serf: ports[i * 3 + 2] });
  const all = Array.from({ length: size }, (_, i) => i);
  const servers = all.map((i) => {
    const name = `c${i + 1}`;
    const joins = all.filter((j) => j !== i).map((j) => at(j).serf);
    const extra = ['-server', `-bootstrap-expect=${size}`, ...(configFile ? ['-config-file', configFile] : [])];
    return { name, args: agentArgs(bin, name, dir, at(i), joins, extra), url: `http://127.0.0.1:${at(i).http}`, serf: at(i).serf, child: undefined };
  });
  for (const s of servers) await startAgent(s);
  await until(async () => (await concordLeader(servers)) !== undefined, 'a Concord leader');
  const leader = await concordLeader(servers);
  await until(async () => (await put(leader, 'bench/ready', 'x')) === true, 'Concord to accept writes');
  return servers;
}

/** Starts a client agent named `name` from `bin` that joins `servers`, and waits until a write through it succeeds. */
export async function concordClientAgent(dir, servers, { name = 'client1', bin = concordBin } = {}) {
  mkdirSync(dir, { recursive: true });
  const [http, rpc, serf] = await freePorts(3);
  const agent = {
    name,
    args: agentArgs(
      bin,
      name,
      dir,
      { http, rpc, serf },
      servers.map((s) => s.serf),
      [],
    ),
    url: `http://127.0.0.1:${http}`,
    serf,
    child: undefined,
  };
  await startAgent(agent);
  await until(async () => (await put(agent, 'bench/ready', 'x')) === true, `the client agent ${name} to forward a write`);
  return agent;
}

export function alive(server) {
  return server.child.exitCode === null && server.child.signalCode === null;
}

/** The server whose /v1/agent/self says it leads, or undefined. */
export async function concordLeader(servers) {
  for (const s of servers.filter(alive)) {
    try {
      const self = await (await fetch(`${s.url}/v1/agent/self`, { signal: AbortSignal.timeout(2000) })).json();
      if (self.Stats?.consul?.leader === 'true') return s;
    } catch {
      // not up
    }
  }
  return undefined;
}

/** PUT /v1/kv/<key>; true when the write was acknowledged, false otherwise (never throws). */
export async function put(server, key, value, timeoutMs = 2000) {
  try {
    const res = await fetch(`${server.url}/v1/kv/${key}`, { method: 'PUT', body: value, signal: AbortSignal.timeout(timeoutMs) });
    return res.ok && (await res.text()) === 'true';
  } catch {
    return false;
  }
}
