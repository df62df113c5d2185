/**
 * The agent's lifecycle: its logger, then the role's assembly (assembly/assemble.ts), undone step
 * by step if any step fails; the running agent it hands back stops with `close` or `leave`.
 */
import { type Logger, pino } from 'pino';
import pinoPretty from 'pino-pretty';
import { uiBuilt } from '@concord/ui';
import type { AgentContext } from './agent-context.js';
import { assembleAgent } from './assembly/assemble.js';
import type { LocalTimings } from './assembly/catalog-sync.js';
import type { Cleanups } from './assembly/cleanups.js';
import { type AgentConfig, ConfigError } from './config/config.js';
import { secureDataDir } from './data-dir.js';
import { LogHub } from './log/log-hub.js';

export { VERSION } from './version.js';
export type { LocalTimings } from './assembly/catalog-sync.js';

export interface RunningAgent {
  readonly config: AgentConfig;
  /** The bound HTTP port, or -1 when plain HTTP is off (`ports.http = -1`). */
  readonly httpPort: number;
  /** The bound HTTPS port, or -1 when HTTPS is off. */
  readonly httpsPort: number;
  readonly dnsPort: number;
  /** The bound LAN gossip port. */
  readonly serfPort: number;
  /** The bound WAN gossip port (-1 on a client agent or with `ports.serf_wan = -1`). */
  readonly serfWanPort: number;
  /** The bound server RPC port (0 on a client agent). */
  readonly serverPort: number;
  readonly context: AgentContext;
  /** Resolves when the agent has stopped (after `close()` or a `leave`). */
  readonly stopped: Promise<void>;
  close(): Promise<void>;
  /** Leaves the cluster gracefully (a server leaves raft first), then closes. */
  leave(): Promise<void>;
}

export interface StartOptions {
  /** The arguments the config came from, re-read on reload. */
  argv?: readonly string[];
  logger?: Logger;
  /** Local-state timings (tests shorten them; the defaults are Consul's). */
  localTimings?: LocalTimings;
}

/** The agent's logger: every line passes the hub, which prints it and feeds monitors. */
function makeLogger(config: AgentConfig, hub: LogHub): Logger {
  const out = config.logJson
    ? pino.destination({ fd: 1, sync: false })
    : pinoPretty({ colorize: false, translateTime: 'SYS:standard', ignore: 'pid,hostname', destination: 1, sync: true });
  const logger = pino({ level: config.logLevel }, hub.stream);
  hub.attach(logger, out);
  return logger;
}

/** A custom UI directory must hold a build (an index.html) when the UI is on. */
function assertUiDir(config: AgentConfig): void {
  if (config.ui && config.uiDir !== undefined && !uiBuilt(config.uiDir)) {
    throw new ConfigError(`ui_config.dir: no index.html in ${config.uiDir}`);
  }
}

export async function startAgent(config: AgentConfig, options: StartOptions = {}): Promise<RunningAgent> {
  assertUiDir(config);
  if (!config.dev && config.dataDir) secureDataDir(config.dataDir);
  const logs = options.logger ? undefined : new LogHub(config.logLevel);
  const logger = options.logger ?? makeLogger(config, logs as LogHub);
  const cleanups: Cleanups = [];
  const undo = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    const { lifecycle, ...agent } = await assembleAgent(config, options, logger, logs, cleanups);
    return { config, ...agent, stopped: lifecycle.stopped, close: lifecycle.close, leave: lifecycle.leave };
  } catch (err) {
    await undo();
    throw err;
  }
}
