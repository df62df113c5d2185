import { Xoshiro128 } from '@concord/simkit';
import { RawNode } from '../src/core/raw-node.js';
import { bootstrapEntries } from '../src/core/bootstrap.js';
import { describeEntry, describeMessage, describeReady } from '../src/core/describe.js';
import { decodeConfChange, type ConfChangeType, type Message } from '../src/core/types.js';
import { MemoryStorage } from '../src/storage/memory-storage.js';

interface TestNode {
  id: string;
  node: RawNode;
  storage: MemoryStorage;
  applied: string[];
  options: NodeOptions;
}

interface NodeOptions {
  preVote: boolean;
  checkQuorum: boolean;
  leaseRead: boolean;
  maxInflight: number;
  maxSizePerMsg: number;
}

const enc = new TextEncoder();

/**
 * The environment behind test/interaction/*.txt: a few RawNodes over MemoryStorage, a mailbox, and
 * commands named as in etcd-io/raft's interaction tests. Every command returns its output lines.
 */
export class InteractionEnv {
  readonly nodes = new Map<string, TestNode>();
  mailbox: Message[] = [];
  readonly #prng = new Xoshiro128(1);

  run(cmd: string, args: string[], kv: Map<string, string>): string[] {
    switch (cmd) {
      case 'add-nodes':
        return this.#addNodes(Number(args[0]), kv);
      case 'campaign':
        this.#node(args[0]).node.campaign();
        return [];
      case 'propose': {
        const n = this.#node(args[0]);
        try {
          n.node.propose([enc.encode(args[1] ?? '')]);
          return [];
        } catch (err) {
          return [`error: ${(err as { code: string }).code}`];
        }
      }
      case 'propose-conf-change': {
        const n = this.#node(args[0]);
        try {
          n.node.proposeConfChange({ changes: [{ type: args[1] as ConfChangeType, nodeId: args[2]! }] });
          return [];
        } catch (err) {
          return [`error: ${(err as { code: string }).code}`];
        }
      }
      case 'transfer-leadership':
        try {
          this.#node(kv.get('from')).node.transferLeader(kv.get('to')!);
          return [];
        } catch (err) {
          return [`error: ${(err as { code: string }).code}`];
        }
      case 'read-index':
        try {
          this.#node(args[0]).node.readIndex(args[1]!);
          return [];
        } catch (err) {
          return [`error: ${(err as { code: string }).code}`];
        }
      case 'tick-election': {
        const n = this.#node(args[0]);
        for (let i = 0; i < n.node.raft.cfg.electionTick * 2; i++) n.node.tick();
        return [];
      }
      case 'tick-heartbeat': {
        const n = this.#node(args[0]);
        for (let i = 0; i < n.node.raft.cfg.heartbeatTick; i++) n.node.tick();
        return [];
      }
      case 'tick': {
        const n = this.#node(args[0]);
        for (let i = 0; i < Number(args[1] ?? 1); i++) n.node.tick();
        return [];
      }
      case 'process-ready':
        return this.#ids(args).flatMap((id) => this.#processReady(id));
      case 'deliver-msgs':
        return this.#deliver(this.#ids(args), kv.get('drop') === 'true', kv.get('type'));
      case 'stabilize':
        return this.#stabilize(this.#ids(args));
      case 'report-unreachable':
        this.#node(args[0]).node.reportUnreachable(args[1]!);
        return [];
      case 'report-snapshot':
        this.#node(args[0]).node.reportSnapshot(args[1]!, kv.get('ok') !== 'false');
        return [];
      case 'compact': {
        const n = this.#node(args[0]);
        const index = Number(args[1]);
        n.storage.createSnapshot(index, n.node.confState(), enc.encode(n.applied.join(',')));
        n.storage.compact(index);
        return [];
      }
      case 'raft-log': {
        const n = this.#node(args[0]);
        const ents = n.storage.allEntries();
        if (ents.length === 0) return [`log is empty: first index=${n.storage.firstIndex()}, last index=${n.storage.lastIndex()}`];
        return ents.map(describeEntry);
      }
      case 'raft-state':
        return [...this.nodes.values()].map((n) => {
          const s = n.node.status();
          return `${s.id}: ${s.role} Term:${s.term} Lead:${s.lead || '0'} Commit:${s.commit} Applied:${s.applied}`;
        });
      case 'status': {
        const s = this.#node(args[0]).node.status();
        const lines = [`conf voters=(${s.conf.voters.join(',')}) learners=(${s.conf.learners.join(',')})`];
        for (const [id, p] of s.progress) {
          lines.push(`${id}: ${p.state} match=${p.match} next=${p.next}${p.isLearner ? ' learner' : ''}${p.inflight ? ` inflight=${p.inflight}` : ''}`);
        }
        return lines;
      }
      case 'applied':
        return [this.#node(args[0]).applied.join(' ')];
      default:
        throw new Error(`unknown command ${cmd}`);
    }
  }

  #node(id: string | undefined): TestNode {
    const n = id === undefined ? undefined : this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  #ids(args: string[]): string[] {
    return args.length > 0 ? args : [...this.nodes.keys()].sort();
  }

  #addNodes(count: number, kv: Map<string, string>): string[] {
    const list = (k: string): string[] => (kv.get(k) ?? '').replace(/[()]/g, '').split(',').filter(Boolean);
    const voters = list('voters');
    const options: NodeOptions = {
      preVote: kv.get('prevote') === 'true',
      checkQuorum: kv.get('checkquorum') === 'true',
      leaseRead: kv.get('lease-read') === 'true',
      maxInflight: Number(kv.get('max-inflight') ?? 256),
      maxSizePerMsg: Number(kv.get('max-size') ?? 1024 * 1024),
    };
    const out: string[] = [];
    const start = this.nodes.size + 1;
    for (let i = 0; i < count; i++) {
      const id = String(start + i);
      const storage = new MemoryStorage();
      if (voters.length > 0 && kv.get('join') !== 'true') {
        const b = bootstrapEntries(voters);
        storage.append(b.entries);
        storage.setHardState(b.hardState);
      }
      const node = new RawNode(
        {
          id,
          prng: this.#prng.fork(),
          electionTick: 10,
          heartbeatTick: 1,
          preVote: options.preVote,
          checkQuorum: options.checkQuorum,
          leaseRead: options.leaseRead,
          maxInflightMsgs: options.maxInflight,
          maxSizePerMsg: options.maxSizePerMsg,
          ...(voters.length > 0 && kv.get('join') !== 'true' ? { applied: 1 } : {}),
        },
        storage,
      );
      // The bootstrap entry is applied directly, as etcd's Bootstrap does.
      if (voters.length > 0 && kv.get('join') !== 'true') {
        node.raft.applyConfChange(decodeConfChange(storage.allEntries()[0]!.data));
      }
      this.nodes.set(id, { id, node, storage, applied: [], options });
      out.push(`INFO ${id} joined, voters=(${node.confState().voters.join(',')})`);
    }
    return out;
  }

  #processReady(id: string): string[] {
    const n = this.#node(id);
    if (!n.node.hasReady()) return [];
    const rd = n.node.ready();
    if (rd.snapshot) n.storage.applySnapshot(rd.snapshot);
    n.storage.append(rd.entries);
    if (rd.hardState) n.storage.setHardState(rd.hardState);
    for (const e of rd.committedEntries) if (e.type === 'normal' && e.data.byteLength > 0) n.applied.push(new TextDecoder().decode(e.data));
    this.mailbox.push(...rd.messages);
    n.node.advance(rd);
    return [`> ${id} handling Ready`, ...describeReady(rd).map((l) => `  ${l}`)];
  }

  #deliver(ids: string[], drop: boolean, type: string | undefined): string[] {
    const out: string[] = [];
    for (const id of ids) {
      const mine = this.mailbox.filter((m) => m.to === id && (type === undefined || m.type === type));
      if (mine.length === 0) continue;
      this.mailbox = this.mailbox.filter((m) => !mine.includes(m));
      for (const m of mine) {
        if (drop) {
          out.push(`dropped: ${describeMessage(m)}`);
          continue;
        }
        out.push(describeMessage(m));
        const target = this.nodes.get(m.to);
        if (target) target.node.step(m);
      }
    }
    return out;
  }

  #stabilize(ids: string[]): string[] {
    const out: string[] = [];
    for (;;) {
      let progressed = false;
      for (const id of ids) {
        const lines = this.#processReady(id);
        if (lines.length > 0) {
          progressed = true;
          out.push(...lines);
        }
      }
      for (const id of ids) {
        const lines = this.#deliver([id], false, undefined);
        if (lines.length > 0) {
          progressed = true;
          out.push(`> ${id} receiving messages`, ...lines.map((l) => `  ${l}`));
        }
      }
      if (!progressed) return out;
    }
  }
}
