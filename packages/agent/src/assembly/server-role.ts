/**
 * Step 1 of a role's assembly, servers only (a -dev agent is one): the RPC listener, the raft log
 * (in memory for -dev, over `level` in the data dir otherwise) and the state machine behind it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ApplyResult } from '@concord/state';
import type { Logger } from 'pino';
import { RaftLog, type RaftTransportKind } from '../cluster/raft-log.js';
import { type BoundRpcServer, bindRpcServer, rpcMessageLimit } from '../cluster/rpc.js';
import type { AgentConfig } from '../config/config.js';
import { DATA_DIR_MODE } from '../data-dir.js';
import { StateServer } from '../server/state-server.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { AgentTls } from '../tls/agent-tls.js';
import type { Cleanups } from './cleanups.js';
import { refusalLogger } from './rate-limited-logs.js';

/** What makes an agent a server: its RPC port, its raft log and the state machine applying it. */
export interface ServerRole {
  rpc: BoundRpcServer;
  raft: RaftLog<ApplyResult>;
  server: StateServer;
}

export async function openServerRole(config: AgentConfig, logger: Logger, tls: AgentTls, telemetry: Telemetry, cleanups: Cleanups): Promise<ServerRole> {
  const rpc = await bindServerRpc(config, logger, tls, cleanups);
  const raft = openRaftLog(config, rpc, logger, tls);
  const server = new StateServer(raft, config.datacenter);
  await server.open();
  cleanups.push(() => server.close());
  // Consul's usage gauges of the catalog, read from this server's state when metrics are shown.
  telemetry.gaugeFrom(['state', 'nodes'], () => server.state.nodes().value.length);
  telemetry.gaugeFrom(['state', 'services'], () => Object.keys(server.state.services().value).length);
  return { rpc, raft, server };
}

/** The RPC listener: raft, forwarding, status. */
async function bindServerRpc(config: AgentConfig, logger: Logger, tls: AgentTls, cleanups: Cleanups): Promise<BoundRpcServer> {
  let rpc: BoundRpcServer;
  const events = {
    onPlaintextRefused: refusalLogger(logger, 'rpc: refused a plaintext connection (tls.internal_rpc.verify_incoming is set)'),
    onTooManyConnections: refusalLogger(logger, 'rpc: refused a connection beyond limits.rpc_max_conns_per_client'),
  };
  try {
    rpc = await bindRpcServer(
      config.bindAddr,
      config.ports.server,
      tls.rpcListener,
      events,
      rpcMessageLimit(config.bounds.snapshotRestoreMaxBytes),
      config.bounds.rpcMaxConnsPerClient,
    );
  } catch (err) {
    // A -dev agent on a busy machine takes any free port rather than failing on 8300.
    if (!(config.dev && config.ports.server === 8300 && /EADDRINUSE|address already in use/i.test(String(err)))) throw err;
    logger.warn('agent: port 8300 is in use; the dev agent serves RPC on a free port');
    rpc = await bindRpcServer(config.bindAddr, 0, tls.rpcListener, events, rpcMessageLimit(config.bounds.snapshotRestoreMaxBytes), config.bounds.rpcMaxConnsPerClient);
  }
  const bound = rpc;
  cleanups.push(() => bound.close());
  return rpc;
}

/**
 * Which transport a server's Raft sends with: the framed TCP/TLS one, unless
 * `CONCORD_RAFT_TRANSPORT=grpc` selects the gRPC one (both are always accepted inbound).
 */
function raftTransportKind(logger: Logger): RaftTransportKind {
  const v = process.env.CONCORD_RAFT_TRANSPORT;
  if (v === undefined || v === '' || v === 'tcp') return 'tcp';
  if (v === 'grpc') return 'grpc';
  logger.warn({ value: v }, 'agent: CONCORD_RAFT_TRANSPORT is neither "tcp" nor "grpc"; raft uses tcp');
  return 'tcp';
}

/**
 * A server's raft log: over `level` in the data dir, or in memory for -dev (a single voter that
 * bootstraps itself). Either way on the agent's RPC server, behind the same ServerCluster.
 */
function openRaftLog(config: AgentConfig, rpc: BoundRpcServer, logger: Logger, tls: AgentTls): RaftLog<ApplyResult> {
  let dir: string | undefined;
  if (!config.dev) {
    dir = join(config.dataDir as string, 'raft');
    mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  }
  return new RaftLog<ApplyResult>({
    id: config.nodeId,
    dir,
    rpcServer: rpc.server,
    acceptRaft: (fn) => rpc.acceptRaft(fn),
    raftTransport: raftTransportKind(logger),
    tcpTls: tls.raftTcp,
    maxMessageBytes: rpcMessageLimit(config.bounds.snapshotRestoreMaxBytes),
    logger,
    tickMs: 100 * config.raftMultiplier,
    snapshotThreshold: config.raftSnapshotThreshold,
    snapshotIntervalMs: config.raftSnapshotIntervalMs,
    trailingLogs: config.raftTrailingLogs,
    dial: tls.dialRpc,
    ...(tls.raftAuthorize ? { authorize: tls.raftAuthorize } : {}),
  });
}
