/**
 * TLS fixtures for the multi-process tests: a CA and certificates made with `concord tls`, agent
 * config blocks that use them, and a raw gRPC client for the server RPC port (proto/agent.proto,
 * proto/raft.proto) to knock on it as an outsider would; a single server started from a config file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { message } from 'raft-ts';
import { FrameKind, RAFT_PREAMBLE_PLAIN, RAFT_PREAMBLE_TLS, encodeBatch, encodeFrame } from 'raft-ts/tcp';
import * as protoLoader from '@grpc/proto-loader';
import type { ExecutionContext } from 'ava';
import { BIN, ROOT } from './_agent.js';
import { runCli } from '@concord/testkit';
import { until } from './_process-cluster.js';

export interface Pki {
  readonly dir: string;
  readonly ca: string;
  readonly caKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly cliCert: string;
  readonly cliKey: string;
}

async function cli(dir: string, args: string[]): Promise<void> {
  const r = await runCli(args, { cwd: dir, timeoutMs: 90_000 });
  if (r.code !== 0) throw new Error(`concord ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
}

/** A CA with one server, one client and one CLI certificate, in a temp dir removed after the tests. */
export async function makePki(teardown: (fn: () => void) => void): Promise<Pki> {
  const dir = mkdtempSync(join(tmpdir(), 'concord-pki-'));
  teardown(() => rmSync(dir, { recursive: true, force: true }));
  await cli(dir, ['tls', 'ca', 'create']);
  await cli(dir, ['tls', 'cert', 'create', '-server', '-dc', 'dc1']);
  await cli(dir, ['tls', 'cert', 'create', '-client']);
  await cli(dir, ['tls', 'cert', 'create', '-cli']);
  const p = (f: string) => join(dir, f);
  return {
    dir,
    ca: p('consul-agent-ca.pem'),
    caKey: p('consul-agent-ca-key.pem'),
    serverCert: p('dc1-server-consul-0.pem'),
    serverKey: p('dc1-server-consul-0-key.pem'),
    clientCert: p('dc1-client-consul-0.pem'),
    clientKey: p('dc1-client-consul-0-key.pem'),
    cliCert: p('dc1-cli-consul-0.pem'),
    cliKey: p('dc1-cli-consul-0-key.pem'),
  };
}

/**
 * Two PKIs for a test file (the cluster's and a rogue one), made before its tests and removed
 * after them. Read the fields inside tests.
 */
export function pkisForFile(t: { before(fn: () => Promise<void>): void; after: { always(fn: () => void): void } }): { pki: Pki; rogue: Pki } {
  const cleanups: (() => void)[] = [];
  const out = {} as { pki: Pki; rogue: Pki };
  t.before(async () => {
    [out.pki, out.rogue] = await Promise.all([makePki((fn) => cleanups.push(fn)), makePki((fn) => cleanups.push(fn))]);
  });
  t.after.always(() => {
    for (const fn of cleanups) fn();
  });
  return out;
}

/** The production `tls` block: mutual TLS on RPC, servers checked by name. */
export function mtlsConfig(pki: Pki, cert: string, key: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tls: {
      defaults: { ca_file: pki.ca, cert_file: cert, key_file: key, verify_incoming: true, verify_outgoing: true },
      internal_rpc: { verify_server_hostname: true },
    },
    ...extra,
  };
}

const LOADER: protoLoader.Options = { longs: Number, enums: String, defaults: true, oneofs: true };

type Unary = (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: unknown) => void) => void;

export interface RpcProbe {
  status(): Promise<unknown>;
  /** Calls a typed method (`KVS`, `Get`) with JSON arguments; resolves with the JSON result. */
  call(service: string, method: string, args: unknown, options?: Record<string, unknown>): Promise<unknown>;
  /** Calls any method path with an empty message (to probe methods that do not exist). */
  rawCall(path: string): Promise<unknown>;
  /** Opens a Raft stream and sends one heartbeat; resolves with the stream's final status. */
  raftHeartbeat(from: string, to: string, term: number): Promise<grpc.status>;
  close(): void;
}

/** A gRPC client for a server's RPC port with the given credentials (plaintext when undefined). */
export function rpcProbe(address: string, creds?: { ca: Buffer; cert?: Buffer; key?: Buffer; serverName?: string }): RpcProbe {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync([join(ROOT, 'proto/agent.proto'), join(ROOT, 'proto/raft.proto')], LOADER)) as unknown as {
    concord: { agent: { v1: Record<string, grpc.ServiceClientConstructor> }; raft: { v1: { Raft: grpc.ServiceClientConstructor } } };
  };
  const credentials = creds
    ? grpc.credentials.createSsl(creds.ca, creds.key ?? null, creds.cert ?? null, { checkServerIdentity: () => undefined })
    : grpc.credentials.createInsecure();
  const options = creds ? { 'grpc.ssl_target_name_override': creds.serverName ?? 'server.dc1.consul' } : {};
  const agent = new (pkg.concord.agent.v1.Agent as grpc.ServiceClientConstructor)(address, credentials, options);
  const raft = new pkg.concord.raft.v1.Raft(address, credentials, options);
  const deadline = () => ({ deadline: Date.now() + 5000 });
  const unary = (name: string, req: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      (agent[name] as Unary).call(agent, req, new grpc.Metadata(), deadline(), (err, res) => (err ? reject(err) : resolve(res)));
    });
  return {
    status: () => unary('Status', {}),
    async call(service, method, args, callOptions = {}) {
      const client = new (pkg.concord.agent.v1[service] as grpc.ServiceClientConstructor)(address, credentials, options);
      try {
        const r = await new Promise<{ result: Buffer }>((resolve, reject) => {
          (client[method] as Unary).call(client, { options: callOptions, args: Buffer.from(JSON.stringify(args)) }, new grpc.Metadata(), deadline(), (err, res) =>
            err ? reject(err) : resolve(res as { result: Buffer }),
          );
        });
        return JSON.parse(Buffer.from(r.result).toString('utf8')) as unknown;
      } finally {
        client.close();
      }
    },
    rawCall(path) {
      return new Promise((resolve, reject) => {
        agent.makeUnaryRequest(
          path,
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.alloc(0),
          new grpc.Metadata(),
          deadline(),
          (err, res) => (err ? reject(err) : resolve(res)),
        );
      });
    },
    raftHeartbeat(from, to, term) {
      return new Promise((resolve) => {
        const call = (raft.Stream as unknown as (opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null) => void) => grpc.ClientWritableStream<unknown>).call(
          raft,
          deadline(),
          (err) => resolve(err ? err.code : grpc.status.OK),
        );
        call.write({ messages: [{ type: 'MSG_HEARTBEAT', from, to, term, commit: 0 }] });
        setTimeout(() => call.end(), 300);
      });
    },
    close() {
      agent.close();
      raft.close();
    },
  };
}

/** The gRPC status code an RPC probe failed with. */
export async function rpcFailure(t: ExecutionContext, p: Promise<unknown>): Promise<grpc.status> {
  try {
    await p;
  } catch (err) {
    return (err as grpc.ServiceError).code;
  }
  t.fail('the call succeeded');
  return grpc.status.OK;
}

export interface SpawnedServer {
  readonly child: ChildProcess;
  out(): string;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly serfPort: number;
}

const BANNER = /\(HTTP: (-?\d+), HTTPS: (-?\d+)[\s\S]*Cluster Addr: .*\(LAN: (\d+)/;

/**
 * Starts a single server (`-bootstrap-expect=1`, data in `dir`, which is removed at teardown)
 * with `configFile`; resolves after its banner, or rejects with its output if it exits.
 */
export async function spawnServerWithConfig(t: ExecutionContext, dir: string, configFile: string, args: readonly string[] = []): Promise<SpawnedServer> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'agent',
      '-server',
      '-bootstrap-expect=1',
      '-data-dir',
      join(dir, 'data'),
      '-node',
      `h${process.pid}`,
      '-bind',
      '127.0.0.1',
      '-server-port',
      '0',
      '-serf-lan-port',
      '0',
      '-serf-wan-port',
      '0',
      '-dns-port',
      '-1',
      '-config-file',
      configFile,
      ...args,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const gone = new Promise((r) => child.once('exit', r));
      process.kill(child.pid, 'SIGKILL');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const m = await until(
    async () => {
      if (child.exitCode !== null) throw new Error(`agent exited ${child.exitCode}: ${out}`);
      return BANNER.exec(out) ?? undefined;
    },
    60_000,
    'the agent banner',
  );
  return { child, out: () => out, httpPort: Number(m[1]), httpsPort: Number(m[2]), serfPort: Number(m[3]) };
}

/**
 * Knocks on a server's RPC port as a framed-Raft peer (raft-ts/tcp): the TLS preamble, a TLS
 * session with `creds` (or the plaintext preamble without them), then one heartbeat frame.
 * Resolves 'closed' when the server closes the connection within 5 s, 'open' otherwise.
 */
export function raftTcpHeartbeat(port: number, creds: { ca: Buffer; cert?: Buffer; key?: Buffer } | undefined, from: string, to: string, term: number): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const raw = netConnect({ host: '127.0.0.1', port });
    raw.on('error', () => {});
    raw.write(Uint8Array.of(creds ? RAFT_PREAMBLE_TLS : RAFT_PREAMBLE_PLAIN));
    const s = creds ? tlsConnect({ socket: raw, ca: creds.ca, cert: creds.cert, key: creds.key, servername: 'server.dc1.consul', checkServerIdentity: () => undefined }) : raw;
    s.on('error', () => {});
    const frame = encodeFrame(FrameKind.batch, encodeBatch([message({ type: 'heartbeat', from, to, term })]));
    if (creds) s.once('secureConnect', () => s.write(frame));
    else s.write(frame);
    const timer = setTimeout(() => {
      s.destroy();
      resolve('open');
    }, 5000);
    s.once('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}
