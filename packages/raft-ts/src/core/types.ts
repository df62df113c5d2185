/** Node identifiers are opaque non-empty strings. NONE marks "no node". */
export type NodeId = string;
export const NONE: NodeId = '';

export type EntryType = 'normal' | 'conf';

/** One log entry. Entries are immutable once created. */
export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

/** What must survive a crash besides the log. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

/** Voters and learners of one configuration, each sorted. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  readonly conf: ConfState;
}

export interface Snapshot {
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

export type ConfChangeType = 'addVoter' | 'addLearner' | 'removeNode';

export interface ConfChangeItem {
  readonly type: ConfChangeType;
  readonly nodeId: NodeId;
}

/**
 * A configuration change. The wire format is a list so that joint changes can come later; today a
 * proposal must carry exactly one item (the bootstrap entry is the only multi-item change).
 */
export interface ConfChange {
  readonly changes: readonly ConfChangeItem[];
}

export type MessageType =
  | 'hup'
  | 'beat'
  | 'checkQuorum'
  | 'app'
  | 'appResp'
  | 'vote'
  | 'voteResp'
  | 'preVote'
  | 'preVoteResp'
  | 'snap'
  | 'heartbeat'
  | 'heartbeatResp'
  | 'unreachable'
  | 'snapStatus'
  | 'timeoutNow'
  | 'readIndex'
  | 'readIndexResp';

/**
 * A Raft message. Every field is always present (zero values when unused) so that encoders and
 * tests stay simple. `snapshot` is set only on 'snap'.
 */
export interface Message {
  readonly type: MessageType;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  readonly logTerm: number;
  readonly index: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
  readonly reject: boolean;
  readonly rejectHint: number;
  /** ReadIndex request context, or 'transfer' on votes of a leadership-transfer campaign. */
  readonly context: string;
  readonly snapshot?: Snapshot | undefined;
}

export function message(fields: Partial<Message> & Pick<Message, 'type'>): Message {
  return {
    from: NONE,
    to: NONE,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    context: '',
    ...fields,
  };
}

export type Role = 'follower' | 'candidate' | 'preCandidate' | 'leader';

export interface SoftState {
  readonly lead: NodeId;
  readonly role: Role;
}

/** A confirmed read: once the state machine applied `index`, a read tagged `context` is linearizable. */
export interface ReadState {
  readonly index: number;
  readonly context: string;
}

export const EMPTY_HARD_STATE: HardState = { term: 0, vote: NONE, commit: 0 };
export const EMPTY_CONF: ConfState = { voters: [], learners: [] };

export function isEmptyHardState(hs: HardState): boolean {
  return hs.term === 0 && hs.vote === NONE && hs.commit === 0;
}

export function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

export function entrySize(e: Entry): number {
  return e.data.byteLength + 24;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeConfChange(cc: ConfChange): Uint8Array {
  return encoder.encode(JSON.stringify({ changes: cc.changes.map((c) => ({ type: c.type, nodeId: c.nodeId })) }));
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  const v = JSON.parse(decoder.decode(data)) as ConfChange;
  return { changes: v.changes.map((c) => ({ type: c.type, nodeId: c.nodeId })) };
}

/** Compare node ids with a total order (never rely on Map or object key order). */
export function compareIds(a: NodeId, b: NodeId): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
