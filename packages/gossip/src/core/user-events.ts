/**
 * Serf's user events, without I/O: a Lamport clock of their own, and a bounded buffer of the
 * events seen at the last `size` Lamport times that suppresses duplicates (an event is its
 * time, name and payload: the same triple again is the same event). Events older than the
 * buffer reaches, or from before a join that asked to ignore old events, are dropped.
 */
import { LamportClock } from './lamport.js';

/** Serf's default size limit on a user event's name plus payload (`UserEventSizeLimit`). */
export const USER_EVENT_SIZE_LIMIT = 512;
/** Serf's hard limit on a user event, whatever the configuration says. */
export const USER_EVENT_SANE_LIMIT = 9 * 1024;
/** Serf's default `EventBuffer`: how many Lamport times of events are remembered. */
export const USER_EVENT_BUFFER_SIZE = 512;

/** One user event as gossip carries it. The payload is opaque bytes. */
export interface UserEvent {
  readonly ltime: number;
  readonly name: string;
  readonly payload: Uint8Array;
  /** Serf's coalesce flag, carried for receivers; Concord never coalesces. */
  readonly coalesce: boolean;
}

/** The events remembered at one Lamport time (what push-pull exchanges). */
export interface UserEventsAtTime {
  readonly ltime: number;
  readonly events: readonly { readonly name: string; readonly payload: Uint8Array }[];
}

/** What a member tells a peer about its user events in a push-pull. */
export interface UserEventsState {
  /** The member's event clock. */
  readonly ltime: number;
  readonly recent: readonly UserEventsAtTime[];
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class UserEventLog {
  readonly clock = new LamportClock();
  readonly #buffer: (UserEventsAtTime | undefined)[];
  #minTime = 0;
  #dropped = 0;

  constructor(readonly size = USER_EVENT_BUFFER_SIZE) {
    this.#buffer = new Array(size);
  }

  /** Events refused as too old (before the buffer's window or a join's ignore point). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Takes the next event time (Serf's `UserEvent`: the current time, then increment). */
  nextTime(): number {
    const t = this.clock.time;
    this.clock.increment();
    return t;
  }

  /**
   * Serf's `handleUserEvent`: witnesses the time, then records the event unless it is too old
   * or already known. True when it is new (and should be delivered and re-broadcast).
   */
  record(e: { ltime: number; name: string; payload: Uint8Array }): boolean {
    this.clock.witness(e.ltime);
    if (e.ltime < this.#minTime) {
      this.#dropped += 1;
      return false;
    }
    const now = this.clock.time;
    if (now > this.size && e.ltime < now - this.size) {
      this.#dropped += 1;
      return false;
    }
    const slot = e.ltime % this.size;
    const seen = this.#buffer[slot];
    if (seen !== undefined && seen.ltime === e.ltime) {
      if (seen.events.some((p) => p.name === e.name && sameBytes(p.payload, e.payload))) return false;
      this.#buffer[slot] = { ltime: e.ltime, events: [...seen.events, { name: e.name, payload: e.payload }] };
    } else {
      this.#buffer[slot] = { ltime: e.ltime, events: [{ name: e.name, payload: e.payload }] };
    }
    return true;
  }

  /** Ignore every event before `ltime` (a join that asked to skip the cluster's old events). */
  ignoreBefore(ltime: number): void {
    if (ltime > this.#minTime) this.#minTime = ltime;
  }

  state(): UserEventsState {
    const recent: UserEventsAtTime[] = [];
    for (const e of this.#buffer) if (e !== undefined) recent.push(e);
    recent.sort((a, b) => a.ltime - b.ltime);
    return { ltime: this.clock.time, recent };
  }
}
