/**
 * User events across the cluster: firing one here broadcasts it by gossip; every agent (this
 * one included) decodes what arrives, applies the event's node, service and tag filters
 * against itself (Consul's `shouldProcessUserEvent`) and keeps what passes for
 * `/v1/event/list`.
 */
import { randomUUID } from 'node:crypto';
import { type Gossip, GossipUserEventTooLargeError, type UserEvent as GossipUserEvent } from '@concord/gossip';
import type { Logger } from 'pino';
import type { EventBuffer } from './event-buffer.js';
import { type LocalServiceView, eventPassesFilters } from './event-filter.js';
import { REMOTE_EXEC_NAME, USER_EVENT_PREFIX, USER_EVENT_VERSION, type UserEvent, decodeUserEvent, encodeUserEvent, userEventProblem } from './user-event.js';

/** A user event that cannot be fired, with Consul's (or Serf's) words for why. */
export class UserEventError extends Error {
  constructor(
    readonly code: 'USER_EVENT_INVALID' | 'USER_EVENT_TOO_LARGE',
    message: string,
  ) {
    super(message);
  }
}

export interface FireRequest {
  name: string;
  /** The opaque payload; empty for none. */
  payload: Uint8Array;
  nodeFilter: string;
  serviceFilter: string;
  tagFilter: string;
}

export interface UserEventsDeps {
  readonly gossip: Pick<Gossip, 'userEvent' | 'on'>;
  readonly nodeName: string;
  /** The services this agent runs, for service and tag filters. */
  readonly services: () => Iterable<LocalServiceView>;
  readonly buffer: EventBuffer;
  readonly logger: Logger;
}

export class UserEvents {
  readonly #deps: UserEventsDeps;
  readonly #off: () => void;

  constructor(deps: UserEventsDeps) {
    this.#deps = deps;
    this.#off = deps.gossip.on('user-event', (e) => this.#receive(e));
  }

  /** Validates, broadcasts and answers the event as Consul's fire endpoint does (LTime 0). */
  fire(req: FireRequest): UserEvent {
    const event: UserEvent = {
      ID: randomUUID(),
      Name: req.name,
      Payload: req.payload.length > 0 ? Buffer.from(req.payload).toString('base64') : null,
      NodeFilter: req.nodeFilter,
      ServiceFilter: req.serviceFilter,
      TagFilter: req.tagFilter,
      Version: USER_EVENT_VERSION,
      LTime: 0,
    };
    const problem = userEventProblem(event);
    if (problem !== undefined) throw new UserEventError('USER_EVENT_INVALID', problem);
    try {
      this.#deps.gossip.userEvent(USER_EVENT_PREFIX + event.Name, encodeUserEvent(event));
    } catch (err) {
      if (err instanceof GossipUserEventTooLargeError) throw new UserEventError('USER_EVENT_TOO_LARGE', err.message);
      throw err;
    }
    return event;
  }

  close(): void {
    this.#off();
  }

  #receive(e: GossipUserEvent): void {
    if (!e.name.startsWith(USER_EVENT_PREFIX)) return;
    const event = decodeUserEvent(e.payload, e.ltime);
    const log = this.#deps.logger;
    if (event === undefined) {
      log.error({ event: e.name }, 'agent: Failed to decode event');
      return;
    }
    if (event.Version > USER_EVENT_VERSION) {
      log.warn({ event: event.Name, version: event.Version }, 'agent: Event version may have unsupported features');
    }
    if (!eventPassesFilters(event, this.#deps.nodeName, this.#deps.services())) return;
    if (event.Name === REMOTE_EXEC_NAME) {
      log.info({ id: event.ID }, 'agent: ignoring remote exec event, not supported');
      return;
    }
    log.debug({ event: event.Name, id: event.ID }, 'agent: new event');
    this.#deps.buffer.ingest(event);
  }
}
