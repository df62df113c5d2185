/**
 * How a running agent stops: `close` (a server first drains: hands leadership over and lets calls
 * in progress finish; then every step's cleanup runs in reverse) and `leave` (leaves the gossip
 * pools, and a server raft, gracefully, then closes). Created before the steps run, since the
 * context's `leave` calls it; told about the cluster once it exists.
 */
import { rmSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Cluster } from '../cluster/cluster.js';
import type { ServerCluster } from '../cluster/server-cluster.js';
import type { WanMembership } from '../cluster/wan-membership.js';
import type { AgentConfig } from '../config/config.js';
import type { Cleanups } from './cleanups.js';

export class AgentLifecycle {
  /** Resolves when the agent has stopped (after `close()` or a `leave`). */
  readonly stopped: Promise<void>;
  #resolveStopped: () => void = () => {};
  #closing: Promise<void> | undefined;
  #leaving: Promise<void> | undefined;
  #cluster: { cluster: Cluster; serverCluster: ServerCluster | undefined; wan: WanMembership | undefined } | undefined;

  constructor(
    readonly config: AgentConfig,
    readonly logger: Logger,
    readonly cleanups: Cleanups,
  ) {
    this.stopped = new Promise<void>((r) => {
      this.#resolveStopped = r;
    });
  }

  /** What `close` drains and `leave` leaves. */
  attach(cluster: Cluster, serverCluster: ServerCluster | undefined, wan: WanMembership | undefined): void {
    this.#cluster = { cluster, serverCluster, wan };
  }

  readonly close = (): Promise<void> => {
    this.#closing ??= this.#close();
    return this.#closing;
  };

  async #close(): Promise<void> {
    const { logger, config } = this;
    logger.info('agent: shutting down');
    try {
      await this.#cluster?.serverCluster?.drain();
    } catch (err) {
      logger.warn({ err: String(err) }, 'agent: error while handing over before shutting down');
    }
    for (const c of this.cleanups.reverse()) {
      try {
        await c();
      } catch (err) {
        logger.warn({ err: String(err) }, 'agent: error while shutting down');
      }
    }
    if (config.pidFile) rmSync(config.pidFile, { force: true });
    this.#resolveStopped();
  }

  readonly leave = (): Promise<void> => {
    this.#leaving ??= (async () => {
      try {
        await this.#cluster?.cluster.leave();
        await this.#cluster?.wan?.leave();
      } catch (err) {
        this.logger.warn({ err: String(err) }, 'agent: graceful leave failed');
      }
      await this.close();
    })();
    return this.#leaving;
  };
}
