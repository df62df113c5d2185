/** `/v1/event`: fire user events to the cluster and list the ones the agent received. */
import type { QueryOptions, QueryResult, WriteOptions } from './options.js';
import type { Transport } from './transport.js';

/** A user event as the agent answers it (`Payload` is base64, or null). */
export interface UserEvent {
  readonly ID: string;
  readonly Name: string;
  readonly Payload: string | null;
  readonly NodeFilter: string;
  readonly ServiceFilter: string;
  readonly TagFilter: string;
  readonly Version: number;
  readonly LTime: number;
}

export interface FireParams {
  readonly Name: string;
  /** Opaque payload; strings are sent as UTF-8. */
  readonly Payload?: Uint8Array | string;
  /** Regular expressions (Go syntax) the receiving agents match themselves against. */
  readonly NodeFilter?: string;
  readonly ServiceFilter?: string;
  readonly TagFilter?: string;
}

export class Event {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Fires the event from the agent; resolves to the event the agent answered (its `ID`). */
  fire(params: FireParams, options?: WriteOptions): Promise<UserEvent> {
    return this.#t.json<UserEvent>({
      method: 'PUT',
      path: `/v1/event/fire/${encodeURIComponent(params.Name)}`,
      params: { node: params.NodeFilter || undefined, service: params.ServiceFilter || undefined, tag: params.TagFilter || undefined },
      ...(params.Payload !== undefined && params.Payload.length > 0 ? { raw: params.Payload } : {}),
      options,
    });
  }

  /** The events the agent received, oldest first; `name` keeps only those of that name. */
  list(name?: string, options?: QueryOptions): Promise<QueryResult<UserEvent[]>> {
    return this.#t.query<UserEvent[]>('/v1/event/list', options, { name: name || undefined }, (wire) => wire);
  }
}
