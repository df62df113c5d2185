import type { Message, Entry, MessageType, Snapshot } from '../core/types.js';
import { message } from '../core/types.js';
import type { Message as PbMessage, Message__Output as PbMessageOut } from '../gen/concord/raft/v1/Message.js';
import type { MessageType__Output as PbType } from '../gen/concord/raft/v1/MessageType.js';
import type { SnapshotMeta__Output } from '../gen/concord/raft/v1/SnapshotMeta.js';
import type { SnapshotMeta } from '../gen/concord/raft/v1/SnapshotMeta.js';

const TO_PB: Readonly<Record<string, PbType>> = {
  app: 'MSG_APP',
  appResp: 'MSG_APP_RESP',
  vote: 'MSG_VOTE',
  voteResp: 'MSG_VOTE_RESP',
  preVote: 'MSG_PRE_VOTE',
  preVoteResp: 'MSG_PRE_VOTE_RESP',
  snap: 'MSG_SNAP',
  heartbeat: 'MSG_HEARTBEAT',
  heartbeatResp: 'MSG_HEARTBEAT_RESP',
  timeoutNow: 'MSG_TIMEOUT_NOW',
  readIndex: 'MSG_READ_INDEX',
  readIndexResp: 'MSG_READ_INDEX_RESP',
};
const FROM_PB = new Map<string, MessageType>(Object.entries(TO_PB).map(([k, v]) => [v, k as MessageType]));

function assertSafe(n: number): number {
  if (!Number.isSafeInteger(n)) throw new RangeError(`64-bit value ${n} exceeds 2^53`);
  return n;
}

/** Encode a message for the wire (snapshot data travels separately, in chunks). */
export function toPb(m: Message): PbMessage {
  const type = TO_PB[m.type];
  if (!type) throw new TypeError(`message type ${m.type} is local and never sent`);
  return {
    type,
    from: m.from,
    to: m.to,
    term: m.term,
    logTerm: m.logTerm,
    index: m.index,
    entries: m.entries.map((e) => ({ term: e.term, index: e.index, type: e.type === 'conf' ? 'ENTRY_CONF' : 'ENTRY_NORMAL', data: e.data })),
    commit: m.commit,
    reject: m.reject,
    rejectHint: m.rejectHint,
    context: m.context,
  };
}

export function fromPb(p: PbMessageOut, snapshot?: Snapshot): Message {
  const type = FROM_PB.get(p.type);
  if (!type) throw new TypeError(`unknown message type ${p.type}`);
  const entries: Entry[] = p.entries.map((e) => ({
    term: assertSafe(e.term),
    index: assertSafe(e.index),
    type: e.type === 'ENTRY_CONF' ? 'conf' : 'normal',
    data: e.data,
  }));
  return message({
    type,
    from: p.from,
    to: p.to,
    term: assertSafe(p.term),
    logTerm: assertSafe(p.logTerm),
    index: assertSafe(p.index),
    entries,
    commit: assertSafe(p.commit),
    reject: p.reject,
    rejectHint: assertSafe(p.rejectHint),
    context: p.context,
    snapshot,
  });
}

export function metaToPb(s: Snapshot): SnapshotMeta {
  return { index: s.meta.index, term: s.meta.term, conf: { voters: [...s.meta.conf.voters], learners: [...s.meta.conf.learners] } };
}

export function metaFromPb(m: SnapshotMeta__Output): Snapshot['meta'] {
  return { index: assertSafe(m.index), term: assertSafe(m.term), conf: { voters: m.conf?.voters ?? [], learners: m.conf?.learners ?? [] } };
}
