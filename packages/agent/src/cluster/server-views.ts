/**
 * What a server reports about raft: its status on the RPC port (`ServerStatus`, read by the
 * bootstrapper and autopilot of other servers) and the raft configuration of
 * `/v1/operator/raft/configuration` and `/v1/status/peers`, all read from the server's raft node
 * (a -dev agent's too: it is the only voter of its own cluster).
 */
import type { StateServer } from '../server/state-server.js';
import type { RaftServerView } from './cluster.js';
import type { Membership } from './membership.js';
import type { RaftLog } from './raft-log.js';
import type { ServerStatus } from './rpc.js';

export interface ServerViewSource {
  nodeId: string;
  nodeName: string;
  rpcAddress: string;
  raft: RaftLog;
  server: StateServer;
  membership: Membership;
}

export function serverStatus(o: ServerViewSource): ServerStatus {
  const raft = o.raft;
  const st = raft.status();
  return {
    id: o.nodeId,
    name: o.nodeName,
    initialized: (st?.conf.voters.length ?? 0) > 0,
    voters: [...(st?.conf.voters ?? [])],
    leader: st?.lead ?? '',
    term: st?.term ?? 1,
    lastIndex: st?.lastIndex ?? o.server.state.lastIndex,
    appliedIndex: st?.applied ?? o.server.state.lastIndex,
    lastContactMs: Math.min(raft.lastContactMs(), 2 ** 31),
  };
}

/** Node name and address of a raft ID, from gossip or the address book. */
function describe(o: ServerViewSource, id: string): { node: string; address: string } {
  if (id === o.nodeId) return { node: o.nodeName, address: o.rpcAddress };
  const s = o.membership.servers().find((x) => x.id === id);
  return { node: s?.name ?? '(unknown)', address: s?.rpcAddr ?? o.raft.peerAddress(id) ?? '' };
}

export function raftConfiguration(o: ServerViewSource): { Servers: RaftServerView[]; Index: number } {
  const st = o.raft.status();
  const voters = st?.conf.voters ?? [];
  const learners = st?.conf.learners ?? [];
  const lead = st?.lead ?? '';
  const servers: RaftServerView[] = [...voters, ...learners].map((id) => {
    const d = describe(o, id);
    return { ID: id, Node: d.node, Address: d.address, Leader: id === lead, Voter: voters.includes(id), ProtocolVersion: '3' };
  });
  return { Servers: servers, Index: Math.max(1, st?.commit ?? o.server.state.lastIndex) };
}
