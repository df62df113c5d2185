/**
 * Step 3 of a role's assembly: the cluster role and the typed calls over it. A server gets a
 * ServerCluster over its raft log (writes through the leader), a client a ClientCluster (calls
 * to a server); either way one RpcRouter answers the agent's typed calls, locally or remotely.
 */
import type { Command } from '@concord/state';
import type { Logger } from 'pino';
import type { CallOptions } from '../rpc/query-options.js';
import { ClientCluster } from '../cluster/client-cluster.js';
import type { Cluster } from '../cluster/cluster.js';
import { DatacenterRouter } from '../cluster/datacenter-router.js';
import type { InternalCall } from '../cluster/remote-catalog.js';
import { RpcClients, rpcMessageLimit } from '../cluster/rpc.js';
import { ServerCluster } from '../cluster/server-cluster.js';
import type { AgentConfig } from '../config/config.js';
import { commandMethod } from '../rpc/methods/apply.js';
import type { MethodName } from '../rpc/methods/index.js';
import { ownCallOptions } from '../rpc/query-options.js';
import { RpcRouter } from '../rpc/router.js';
import { RpcStatusError } from '../rpc/transport.js';
import type { WriteResult } from '../server/state-server.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { AgentTls } from '../tls/agent-tls.js';
import { VERSION } from '../version.js';
import type { Cleanups } from './cleanups.js';
import type { GossipPools } from './gossip-pools.js';
import type { ServerRole } from './server-role.js';

/** Whether a background `-retry-join` is still trying. */
export interface RetryJoinState {
  pending: boolean;
}

export interface ClusterRole {
  cluster: Cluster;
  /** Set on a server. */
  serverCluster: ServerCluster | undefined;
  /** Set on a client. */
  clientCluster: ClientCluster | undefined;
  datacenters: DatacenterRouter;
  calls: RpcRouter;
  /** A typed call made by the agent itself, with its own token. */
  internalCall: InternalCall;
  /** A write made by the agent itself (catalog sync, coordinates), through the leader. */
  write: (command: Command, over?: Partial<CallOptions>) => Promise<WriteResult>;
}

export interface ClusterRoleInputs {
  config: AgentConfig;
  serverRole: ServerRole | undefined;
  pools: GossipPools;
  /** The address other agents reach this server's RPC port at. */
  serverAddress: string;
  tls: AgentTls;
  logger: Logger;
  telemetry: Telemetry;
  retryJoin: RetryJoinState;
  /** The token the agent's own call of a method carries (its ACL tokens are resolved later). */
  ownToken: (method: string) => string;
}

export function assembleClusterRole(i: ClusterRoleInputs, cleanups: Cleanups): ClusterRole {
  const { config, serverRole, pools, logger, telemetry, tls, ownToken } = i;
  const { wan } = pools;
  const datacenters = new DatacenterRouter({ datacenter: config.datacenter, wan });
  // Typed calls to other servers (the leader, another datacenter) or, from a client, to a server.
  const callClients = new RpcClients(tls.dialRpc, rpcMessageLimit(config.bounds.snapshotRestoreMaxBytes));
  cleanups.push(() => callClients.close());
  let rpcRouter: RpcRouter | undefined;

  let cluster: Cluster;
  let serverCluster: ServerCluster | undefined;
  let clientCluster: ClientCluster | undefined;
  if (serverRole) {
    serverCluster = new ServerCluster({
      config,
      server: serverRole.server,
      raft: serverRole.raft,
      membership: pools.membership,
      rpcServer: serverRole.rpc.server,
      rpcAddress: i.serverAddress,
      keyring: pools.keyring,
      version: VERSION,
      logger,
      deadServerCleanupMs: 30_000,
      dial: tls.dialRpc,
      telemetry,
      calls: (name, request, signal) => (rpcRouter ? rpcRouter.serve(name, request, signal) : Promise.reject(new RpcStatusError('HTTP API not ready', 14 /* UNAVAILABLE */))),
      applyKv: (call, signal) => {
        if (!rpcRouter) return Promise.reject(new RpcStatusError('HTTP API not ready', 14 /* UNAVAILABLE */));
        if (call.command.type !== 'kv') return Promise.reject(new RpcStatusError(`command ${call.command.type} is not applied by this method`, 3 /* INVALID_ARGUMENT */, 400));
        return rpcRouter.serveKvApply(call.command, call.token, call.hops, signal);
      },
    });
    cluster = serverCluster;
  } else {
    const retryJoin = i.retryJoin;
    clientCluster = new ClientCluster({ config, membership: pools.membership, keyring: pools.keyring, logger, dial: tls.dialRpc, joining: () => retryJoin.pending, telemetry });
    cluster = clientCluster;
  }
  const c = cluster;
  cleanups.push(() => c.close());
  const sc = serverCluster;
  const cc = clientCluster;
  const calls = new RpcRouter({
    datacenter: config.datacenter,
    nodeName: config.nodeName,
    maxQueryTimeMs: config.maxQueryTimeMs,
    ...(cc ? { toServer: (send, idempotent) => cc.callServer(send, idempotent) } : {}),
    ...(sc ? { isLeader: () => sc.isLeader(), toLeader: (send, idempotent) => sc.callLeader(send, idempotent) } : {}),
    ...(wan ? { toDatacenter: (dc, send, idempotent) => datacenters.call(dc, send, idempotent) } : {}),
    call: (address, name, request, timeoutMs, signal) => {
      // Writes to the leader go on the Raft connection (see cluster/leader-channel.ts).
      const viaGrpc = () => callClients.call(address, name, request, timeoutMs, signal);
      const peer = sc?.raftPeerFor(address, name);
      return peer ? (sc as ServerCluster).callOverRaft(peer, name, request, timeoutMs, viaGrpc) : viaGrpc();
    },
  });
  rpcRouter = calls;
  const internalCall: InternalCall = (name, args, over) => calls.call(name, args, ownCallOptions(config.nodeName, { token: ownToken(name), ...over }));
  const write = async (command: Command, over?: Partial<CallOptions>): Promise<WriteResult> => {
    const method = commandMethod(command.type) as MethodName | undefined;
    if (!method) throw new Error(`command ${command.type} is applied by the leader only`);
    const answer = await calls.call(method, { command } as never, ownCallOptions(config.nodeName, { token: ownToken(method), ...over, consistency: 'leader', minQueryIndex: 0 }));
    return { index: answer.meta.index, result: { value: answer.value } };
  };
  return { cluster, serverCluster, clientCluster, datacenters, calls, internalCall, write };
}
