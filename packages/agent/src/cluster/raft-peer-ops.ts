/**
 * Changes to the raft configuration a server makes on request or on its way out: leadership
 * transfer (`operator raft transfer-leader`), removing a peer (`operator raft remove-peer`), the
 * hand-over before a shutdown and leaving raft through the leader.
 */
import { parseDuration } from '@concord/goflags';
import type { AutopilotConfigEntry } from '@concord/state';
import type { Logger } from 'pino';
import type { Status } from 'raft-ts';
import { noLeader, operationFailed } from '../errors/agent-error.js';
import { ownCallOptions, optionsToWire } from '../rpc/query-options.js';
import type { RaftServerView } from './cluster.js';
import type { AutopilotSettings, RaftMembership } from './leader-duties.js';
import type { RaftLog } from './raft-log.js';
import type { RpcClients } from './rpc.js';

/** The raft operations the leader's reconciliation uses, on a server's raft node. */
export function raftMembership(raft: RaftLog): RaftMembership {
  return {
    voters: () => [...(raft.status()?.conf.voters ?? [])],
    learners: () => [...(raft.status()?.conf.learners ?? [])],
    addVoter: async (id, address) => {
      raft.setPeer(id, address);
      await raft.node?.addVoter(id);
    },
    addLearner: async (id, address) => {
      raft.setPeer(id, address);
      await raft.node?.addLearner(id);
    },
    removeServer: async (id) => {
      await raft.node?.removeServer(id);
    },
    lagOf: (id) => {
      const st = raft.status();
      const match = st?.progress.get(id)?.match;
      return st && match !== undefined ? Math.max(0, st.lastIndex - match) : undefined;
    },
  };
}

/** Autopilot's replicated settings as the leader's reconciliation reads them. */
export function autopilotSettings(c: AutopilotConfigEntry): AutopilotSettings {
  return {
    cleanupDeadServers: c.CleanupDeadServers,
    minQuorum: c.MinQuorum,
    serverStabilizationMs: parseDuration(c.ServerStabilizationTime) ?? 10_000,
    maxTrailingLogs: c.MaxTrailingLogs,
  };
}

/** The voter other than `self` with the longest log on the leader: the quickest to lead. */
function mostUpToDate(st: Status, self: string): string | undefined {
  const match = (id: string) => st.progress.get(id)?.match ?? -1;
  return st.conf.voters.filter((v) => v !== self).sort((a, b) => match(b) - match(a))[0];
}

/** Hands leadership to `id`, or to the most up-to-date other voter; Consul's errors otherwise. */
export async function transferLeadership(raft: RaftLog, self: string, id: string | undefined, logger: Logger): Promise<void> {
  const st = raft.status();
  if (!raft.node || !st) throw operationFailed('cannot transfer leadership: raft has not started on this server');
  if (!raft.isLeader()) throw noLeader();
  let target = id;
  if (target) {
    if (!st.conf.voters.includes(target)) throw operationFailed(`cannot find peer with ID ${JSON.stringify(target)} among the voters`);
    if (target === self) throw operationFailed('cannot transfer leadership to itself');
  } else {
    target = mostUpToDate(st, self);
    if (!target) throw operationFailed('cannot find peer: no other voter to transfer leadership to');
  }
  try {
    await raft.node.transferLeadership(target);
  } catch (err) {
    throw operationFailed(`failed to transfer leadership: ${(err as Error).message}`);
  }
  logger.info({ to: target }, 'raft: leadership transferred on request');
}

/** Removes the server named by ID or address from `conf`, on the leader. */
export async function removePeer(raft: RaftLog, conf: readonly RaftServerView[], by: { id?: string; address?: string }): Promise<void> {
  const target = conf.find((s) => (by.id && s.ID === by.id) || (by.address && s.Address === by.address));
  if (!target) {
    throw operationFailed(by.id ? `id "${by.id}" was not found in the Raft configuration` : `address "${by.address}" was not found in the Raft configuration`);
  }
  if (!raft.node) throw operationFailed('raft has not started on this server');
  if (!raft.isLeader()) throw noLeader();
  try {
    await raft.node.removeServer(target.ID);
  } catch (err) {
    throw operationFailed((err as Error).message);
  }
}

/** Before a shutdown, a leader hands leadership to the most up-to-date voter. */
export async function handOver(raft: RaftLog, self: string, logger: Logger): Promise<void> {
  const st = raft.status();
  if (!raft.node || !raft.isLeader() || !st) return;
  const target = mostUpToDate(st, self);
  if (!target) return;
  try {
    await raft.node.transferLeadership(target);
    logger.info({ to: target }, 'raft: handed leadership over before shutting down');
  } catch (err) {
    logger.warn({ err: String(err) }, 'raft: leadership hand-over before shutting down failed');
  }
}

export interface LeaveRaftOptions {
  raft: RaftLog;
  self: string;
  nodeName: string;
  /** The leader's RPC address, or '' when none is known. */
  leaderAddress: () => string;
  rpc: RpcClients;
  logger: Logger;
}

/**
 * Leaves raft on `leave`: a leader first hands leadership to another voter, then the server asks
 * the leader to drop it and waits until the change applied here. A lone voter stays.
 */
export async function leaveRaft(o: LeaveRaftOptions): Promise<void> {
  const { raft } = o;
  if (!raft.node || (raft.status()?.conf.voters.length ?? 0) <= 1) return;
  try {
    if (raft.isLeader()) {
      const other = raft.status()?.conf.voters.find((v) => v !== o.self);
      if (other) await raft.node.transferLeadership(other).catch(() => {});
    }
    await removeSelfThroughLeader(o);
  } catch (err) {
    o.logger.warn({ err: String(err) }, 'leave: could not leave raft');
  }
}

/** Asks the leader to drop this server from raft, waiting until the change applied here. */
async function removeSelfThroughLeader(o: LeaveRaftOptions): Promise<void> {
  const { raft } = o;
  if (!raft.node) return;
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const voters = raft.status()?.conf.voters ?? [];
    if (!voters.includes(o.self)) return;
    if (raft.isLeader()) {
      await raft.node.removeServer(o.self).catch(() => {});
    } else {
      const leader = o.leaderAddress();
      if (leader) {
        const request = {
          options: optionsToWire(ownCallOptions(o.nodeName, { hops: 1 })),
          args: Buffer.from(JSON.stringify({ id: o.self })),
        };
        await o.rpc.call(leader, 'Operator.RaftRemovePeer', request, 5000).catch(() => undefined);
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
