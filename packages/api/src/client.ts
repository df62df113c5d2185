/** The entry point: one client per agent address. */
import type { Agent as HttpsAgent } from 'node:https';
import { addressFromEnv, baseUrlOf, tokenFromEnv } from './address.js';
import { type ApiTlsOptions, httpsAgentFor, mergeTls, tlsFromEnv } from './tls.js';
import { Agent } from './agent.js';
import { Catalog } from './catalog.js';
import { Event } from './event.js';
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
  /**
   * TLS towards an https:// agent; merged over the environment's `CONSUL_CACERT`,
   * `CONSUL_CLIENT_CERT`, ... (see tls.ts). `CONSUL_HTTP_SSL=true` makes an address without a
   * scheme https://.
   */
  readonly tls?: ApiTlsOptions;
  /** Where the defaults come from (address, token, TLS); `process.env` by default. */
  readonly env?: NodeJS.ProcessEnv;
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
  readonly event: Event;
  /** The HTTPS connection pool built from the TLS options, for requests made outside the typed groups. */
  readonly httpsAgent: HttpsAgent | undefined;
  readonly #transport: Transport;

  constructor(options: ConsulApiOptions = {}) {
    const env = options.env ?? process.env;
    const token = options.token ?? tokenFromEnv(env);
    const fromEnv = tlsFromEnv(env);
    this.baseUrl = baseUrlOf(options.address ?? addressFromEnv(env), fromEnv.useSsl ? 'https' : 'http');
    this.httpsAgent = this.baseUrl.startsWith('https:') ? httpsAgentFor(mergeTls(fromEnv.tls, options.tls ?? {})) : undefined;
    this.#transport = new Transport({
      baseUrl: this.baseUrl,
      ...(this.httpsAgent ? { agent: this.httpsAgent } : {}),
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
    this.event = new Event(this.#transport);
  }

  /** Runs KV/catalog operations atomically (`PUT /v1/txn`). */
  txn(ops: readonly TxnOp[], options?: WriteOptions): Promise<TxnResponse> {
    return runTxn(this.#transport, ops, options);
  }
}
