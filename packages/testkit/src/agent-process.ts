import { type ChildProcess, spawn } from 'node:child_process';
import { BIN, ROOT } from './paths.js';
import { type Scope, tempDir, uniqueName } from './scope.js';

const BANNER_RE = /Client Addr: \[[^\]]*\] \(HTTP: (\d+), HTTPS: -?\d+, gRPC: -?\d+, DNS: (-?\d+)\)/;
const START_TIMEOUT_MS = 60_000;
const KILL_GRACE_MS = 3_000;

export interface AgentOptions {
  /** Durable single server (`-server -bootstrap-expect=1 -data-dir`) instead of `-dev`. */
  durable?: boolean;
  /** Data dir to reuse (durable only); a fresh temp dir otherwise, removed at teardown. */
  dataDir?: string;
  /** Node name; unique per process by default. */
  node?: string;
  /** Serve DNS on an ephemeral port (off by default). */
  dns?: boolean;
  extraArgs?: readonly string[];
}

export interface AgentProcess {
  readonly node: string;
  /** The HTTP port. */
  readonly port: number;
  /** `127.0.0.1:<port>`, for CONSUL_HTTP_ADDR. */
  readonly httpAddr: string;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** The DNS port, or -1 when the agent serves no DNS. */
  readonly dnsPort: number;
  readonly pid: number;
  readonly dataDir: string | undefined;
  readonly child: ChildProcess;
  /** Everything the child printed so far (stdout and stderr). */
  output(): string;
  /** Sends a signal (SIGTERM by default; SIGKILL after 3 s) and waits for the exit code or signal. */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

function exitOf(child: ChildProcess): Promise<number | NodeJS.Signals | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
}

/** Signals a child by PID, SIGKILLs it after 3 s, and resolves with how it exited. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | NodeJS.Signals | null> {
  const exited = exitOf(child);
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return exited;
  const pid = child.pid;
  const kill = (sig: NodeJS.Signals): void => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  kill(signal);
  const timer = setTimeout(() => kill('SIGKILL'), KILL_GRACE_MS);
  const out = await exited;
  clearTimeout(timer);
  return out;
}

/**
 * Starts `concord agent` on ephemeral ports and resolves once its banner shows the HTTP port.
 * The agent is stopped at the scope's teardown, and killed by PID if the test process exits first.
 */
export async function startAgent(t: Scope, options: AgentOptions = {}): Promise<AgentProcess> {
  const node = options.node ?? uniqueName('agent');
  let dataDir: string | undefined;
  const args = [BIN, 'agent'];
  if (options.durable) {
    dataDir = options.dataDir ?? tempDir(t);
    args.push('-server', '-bootstrap-expect=1', '-data-dir', dataDir);
  } else {
    args.push('-dev');
  }
  // Gossip and RPC on loopback: with the default bind (0.0.0.0) the agent would advertise the
  // host's private address, and fail to start on a host that has several. A test's own -bind wins.
  args.push('-node', node, '-bind', '127.0.0.1', '-http-port', '0', '-dns-port', options.dns ? '0' : '-1', '-server-port', '0', '-serf-lan-port', '0', '-serf-wan-port', '0');
  args.push(...(options.extraArgs ?? []));
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const killOnExit = (): void => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
  };
  process.once('exit', killOnExit);
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | NodeJS.Signals | null> => {
    process.off('exit', killOnExit);
    return stopChild(child, signal);
  };
  t.teardown(() => stop().then(() => undefined));

  const [port, dnsPort] = await new Promise<[number, number]>((resolve, reject) => {
    const onData = (): void => {
      const m = BANNER_RE.exec(output);
      if (m) {
        done();
        resolve([Number(m[1]), Number(m[2])]);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      done();
      reject(new Error(`agent exited (${code ?? signal}) before listening; output:\n${output.slice(-4000)}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`agent did not print its HTTP port within ${START_TIMEOUT_MS} ms; output:\n${output.slice(-4000)}`));
    }, START_TIMEOUT_MS);
    const done = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    onData();
  });

  return {
    node,
    port,
    httpAddr: `127.0.0.1:${port}`,
    base: `http://127.0.0.1:${port}`,
    dnsPort,
    pid: child.pid as number,
    dataDir,
    child,
    output: () => output,
    stop,
  };
}
