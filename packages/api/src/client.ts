/** The entry point: one client per agent address. */
import { addressFromEnv, baseUrlOf, tokenFromEnv } from './address.js';
import { Agent } from './agent.js';
import { Catalog } from './catalog.js';
import { Health } from './health.js';
import { KV } from './kv.js';
import { Operator } from './operator.js';
import type { WriteOptions } from './options.js';
import { Session } from './session.js';
import { Coordinate } from './coordinate.js';
import { Status } from './status.js';
import { Transport } from './transport.js';
import { runTxn } from './txn.js';
import type { TxnOp, TxnResponse } from './types.js';

export interface ConsulApiOptions {
  /**
   * `host:port`, `http://host:port` or `https://host:port`. Defaults to
   * `CONCORD_HTTP_ADDR`, then `CONSUL_HTTP_ADDR`, then `127.0.0.1:8500`.
   */
  readonly address?: string;
  /** ACL token sent as `X-Consul-Token`; defaults to `CONCORD_HTTP_TOKEN`/`CONSUL_HTTP_TOKEN`. */
  readonly token?: string;
  /** Datacenter sent as `?dc=` with every request unless a call names another. */
  readonly datacenter?: string;
}

export class ConsulApi {
  /** Base URL of the agent, e.g. `http://127.0.0.1:8500`. */
  readonly baseUrl: string;
  readonly kv: KV;
  readonly session: Session;
  readonly catalog: Catalog;
  readonly health: Health;
  readonly agent: Agent;
  readonly status: Status;
  readonly coordinate: Coordinate;
  readonly operator: Operator;
  readonly #transport: Transport;

  constructor(options: ConsulApiOptions = {}) {
    const token = options.token ?? tokenFromEnv();
    this.baseUrl = baseUrlOf(options.address ?? addressFromEnv());
    this.#transport = new Transport({
      baseUrl: this.baseUrl,
      ...(token ? { token } : {}),
      ...(options.datacenter ? { datacenter: options.datacenter } : {}),
    });
    this.kv = new KV(this.#transport);
    this.session = new Session(this.#transport);
    this.catalog = new Catalog(this.#transport);
    this.health = new Health(this.#transport);
    this.agent = new Agent(this.#transport);
    this.status = new Status(this.#transport);
    this.coordinate = new Coordinate(this.#transport);
    this.operator = new Operator(this.#transport);
  }

  /** Runs KV/catalog operations atomically (`PUT /v1/txn`). */
  txn(ops: readonly TxnOp[], options?: WriteOptions): Promise<TxnResponse> {
    return runTxn(this.#transport, ops, options);
  }
}
