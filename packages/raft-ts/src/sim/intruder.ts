import type { Xoshiro128 } from '@concord/simkit';
import { message, type MessageType } from '../core/types.js';
import type { SimNode } from './sim-node.js';
import type { SimWorld } from './world.js';

/** The id the intruder claims: never one of the simulated servers (those are numbers). */
export const INTRUDER_ID = 'intruder';

const FORGED_TYPES: readonly MessageType[] = ['heartbeat', 'app', 'vote', 'preVote', 'timeoutNow', 'snap'];

/**
 * A host outside the cluster that reaches the Raft port and sends forged messages with a much
 * higher term to members: heartbeats and appends claiming leadership, vote requests, timeoutNow.
 * A member must drop every one of them; `onObeyed` is called when one changed a member's term,
 * role or leader.
 */
export class Intruder {
  readonly #world: SimWorld;
  readonly #rng: Xoshiro128;
  readonly #onObeyed: (what: string) => void;
  sent = 0;

  constructor(world: SimWorld, rng: Xoshiro128, onObeyed: (what: string) => void) {
    this.#world = world;
    this.#rng = rng;
    this.#onObeyed = onObeyed;
  }

  start(): void {
    this.#world.q.schedule(50 + this.#rng.int(200), () => this.#loop());
  }

  #loop(): void {
    if (!this.#world.faultsActive()) return;
    const members = [...this.#world.nodes.values()].filter((n) => {
      const conf = n.retired ? undefined : n.node?.status().conf;
      return conf !== undefined && (conf.voters.includes(n.id) || conf.learners.includes(n.id));
    });
    if (members.length > 0) this.#forge(members[this.#rng.int(members.length)]!);
    this.#world.q.schedule(20 + this.#rng.int(200), () => this.#loop());
  }

  /** Hands a forged message straight to the node's transport handler, as if it came off the wire. */
  #forge(n: SimNode): void {
    const status = n.node!.status();
    const type = FORGED_TYPES[this.#rng.int(FORGED_TYPES.length)]!;
    const before = { term: status.term, role: status.role, lead: status.lead };
    const m = message({
      type,
      from: INTRUDER_ID,
      to: n.id,
      term: status.term + 1000,
      index: status.lastIndex + 1000,
      logTerm: status.term + 1000,
      commit: status.commit,
    });
    this.sent++;
    this.#world.trace(`intruder: forged ${type} term=${m.term} to n${n.id}`);
    n.transport?.handler?.onMessage(m);
    const after = n.node?.status();
    if (!after) return;
    const obeyed = after.term !== before.term || after.role !== before.role || after.lead !== before.lead;
    if (obeyed) {
      this.#onObeyed(
        `n${n.id} obeyed a forged ${type} from non-member ${INTRUDER_ID}: term ${before.term}->${after.term}, role ${before.role}->${after.role}, leader ${before.lead || '-'}->${after.lead || '-'}`,
      );
    }
  }
}
