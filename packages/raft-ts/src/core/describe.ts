import { decodeConfChange, type Entry, type Message } from './types.js';
import type { Ready } from './raw-node.js';

const decoder = new TextDecoder();

/** Human-readable one-line form of an entry, e.g. `1/3 EntryNormal "foo"`. */
export function describeEntry(e: Entry): string {
  if (e.type === 'conf') {
    const cc = decodeConfChange(e.data);
    return `${e.term}/${e.index} EntryConfChange ${cc.changes.map((c) => `${c.type}(${c.nodeId})`).join(' ')}`;
  }
  return `${e.term}/${e.index} EntryNormal ${JSON.stringify(decoder.decode(e.data))}`;
}

/** Human-readable one-line form of a message, used by traces and interaction tests. */
export function describeMessage(m: Message): string {
  let s = `${m.from}->${m.to} ${m.type} Term:${m.term}`;
  if (m.type === 'app' || m.type === 'vote' || m.type === 'preVote' || m.type === 'appResp') {
    s += ` Log:${m.logTerm}/${m.index}`;
  } else if (m.type === 'readIndexResp') {
    s += ` Index:${m.index}`;
  }
  if (m.commit) s += ` Commit:${m.commit}`;
  if (m.reject) s += ` Rejected (Hint: ${m.rejectHint})`;
  if (m.context) s += ` Context:${m.context}`;
  if (m.entries.length > 0) s += ` Entries:[${m.entries.map(describeEntry).join(', ')}]`;
  if (m.snapshot) {
    const c = m.snapshot.meta.conf;
    s += ` Snapshot: Index:${m.snapshot.meta.index} Term:${m.snapshot.meta.term} Voters:(${c.voters.join(',')}) Learners:(${c.learners.join(',')})`;
  }
  return s;
}

/** Multi-line dump of a Ready, in the layout of etcd-io/raft's interaction tests. */
export function describeReady(rd: Ready): string[] {
  const out: string[] = [];
  if (rd.softState) out.push(`Lead:${rd.softState.lead || '0'} State:${rd.softState.role}`);
  if (rd.hardState) out.push(`HardState Term:${rd.hardState.term} Vote:${rd.hardState.vote || '0'} Commit:${rd.hardState.commit}`);
  if (rd.entries.length > 0) {
    out.push('Entries:');
    for (const e of rd.entries) out.push(describeEntry(e));
  }
  if (rd.snapshot) {
    const c = rd.snapshot.meta.conf;
    out.push(`Snapshot Index:${rd.snapshot.meta.index} Term:${rd.snapshot.meta.term} Voters:(${c.voters.join(',')}) Learners:(${c.learners.join(',')})`);
  }
  if (rd.committedEntries.length > 0) {
    out.push('CommittedEntries:');
    for (const e of rd.committedEntries) out.push(describeEntry(e));
  }
  if (rd.messages.length > 0) {
    out.push('Messages:');
    for (const m of rd.messages) out.push(describeMessage(m));
  }
  if (rd.readStates.length > 0) {
    out.push('ReadStates:');
    for (const rs of rd.readStates) out.push(`Index:${rs.index} Context:${rs.context}`);
  }
  return out;
}
