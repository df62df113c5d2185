import { GossipUserEventTooLargeError } from '../errors.js';
import type { CoreContext } from './core-context.js';
import type { Dissemination } from './dissemination.js';
import type { MemberUpdates } from './member-updates.js';
import type { UserEventMessage } from './messages.js';
import { COMPOUND_HEADER_BYTES, COMPOUND_PER_MESSAGE_BYTES, encodedSize, utf8Length } from './messages.js';
import { USER_EVENT_BUFFER_SIZE, USER_EVENT_SANE_LIMIT, USER_EVENT_SIZE_LIMIT, type UserEvent, UserEventLog, type UserEventsState } from './user-events.js';

/**
 * Serf's user events on top of the membership protocol: firing one (size limits, Lamport time),
 * receiving one from a peer (delivered and re-broadcast only the first time), and merging a
 * peer's recent events after a push-pull.
 */
export class UserEventChannel {
  readonly #ctx: CoreContext;
  readonly #news: Dissemination;
  readonly #updates: MemberUpdates;
  readonly #log: UserEventLog;

  constructor(ctx: CoreContext, news: Dissemination, updates: MemberUpdates) {
    this.#ctx = ctx;
    this.#news = news;
    this.#updates = updates;
    this.#log = new UserEventLog(ctx.config.userEventBufferSize ?? USER_EVENT_BUFFER_SIZE);
  }

  /** The Lamport time the next event fired here will carry. */
  get time(): number {
    return this.#log.clock.time;
  }

  /** Events dropped as older than the duplicate-suppression window or a join's ignore point. */
  get stale(): number {
    return this.#log.dropped;
  }

  state(): UserEventsState {
    return this.#log.state();
  }

  /**
   * Fire an event: check the size limits (name plus payload within `userEventSizeLimit`, the
   * encoded message within one packet), take the next event time, deliver it locally and queue it.
   */
  fire(name: string, payload: Uint8Array, coalesce: boolean): number {
    const c = this.#ctx;
    const limit = c.config.userEventSizeLimit ?? USER_EVENT_SIZE_LIMIT;
    const before = utf8Length(name) + payload.length;
    if (before > limit) throw new GossipUserEventTooLargeError(`user event exceeds configured limit of ${limit} bytes before encoding`);
    if (before > USER_EVENT_SANE_LIMIT) {
      throw new GossipUserEventTooLargeError(`user event exceeds sane limit of ${USER_EVENT_SANE_LIMIT} bytes before encoding`);
    }
    const msg: UserEventMessage = {
      t: 'user-event',
      ltime: this.#log.clock.time,
      name,
      payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('base64'),
      ...(coalesce ? { cc: true as const } : {}),
    };
    const wireLimit = c.config.udpBufferSize - COMPOUND_HEADER_BYTES - COMPOUND_PER_MESSAGE_BYTES - c.packetOverhead;
    if (encodedSize(msg) > wireLimit) {
      throw new GossipUserEventTooLargeError(`encoded user event exceeds sane limit of ${wireLimit} bytes after encoding`);
    }
    this.#log.clock.increment();
    this.#receive({ ltime: msg.ltime, name, payload, coalesce }, false);
    this.#news.queueUserEvent(msg);
    return msg.ltime;
  }

  /** An event gossiped by a peer: delivered and passed on the first time it is seen. */
  handle(msg: UserEventMessage): void {
    const payload = Buffer.from(msg.payload, 'base64');
    if (this.#receive({ ltime: msg.ltime, name: msg.name, payload, coalesce: msg.cc === true }, true)) this.#news.queueUserEvent(msg);
  }

  /**
   * Serf's merge of a peer's user events after a push-pull: with `ignoreOld` every event before
   * the peer's clock is ignored; the rest are delivered if new, without re-broadcasting them.
   */
  merge(state: UserEventsState, ignoreOld: boolean): void {
    if (ignoreOld) this.#log.ignoreBefore(state.ltime);
    for (const at of state.recent) {
      for (const e of at.events) this.#receive({ ltime: at.ltime, name: e.name, payload: e.payload, coalesce: false }, false);
    }
  }

  /** Records an event; a new one is handed to the driver. True when it was new. */
  #receive(event: UserEvent, fromPeer: boolean): boolean {
    if (fromPeer && this.#updates.leaving) return false;
    if (!this.#log.record(event)) return false;
    this.#ctx.output({ kind: 'user-event', event });
    return true;
  }
}
