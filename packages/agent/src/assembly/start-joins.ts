/**
 * The last step of a role's assembly: joining the gossip pools. `-join` (LAN) and `-join-wan`
 * (WAN) fail the start; their retrying forms keep trying in the background.
 */
import type { Logger } from 'pino';
import type { AgentConfig } from '../config/config.js';
import { ConfigError } from '../config/config.js';
import type { RetryJoinState } from './cluster-role.js';

/** One gossip pool's joins at start: `-join` (LAN) or `-join-wan` (WAN) and their retrying forms. */
export interface PoolJoin {
  /** `LAN` or `WAN`, for messages. */
  pool: string;
  start: readonly string[];
  retry: readonly string[];
  join: (addrs: readonly string[]) => Promise<number>;
}

/** Joins the `start` addresses now (failing the start) and the `retry` ones in the background. */
export async function joinAtStart(config: AgentConfig, pj: PoolJoin, logger: Logger, signal: AbortSignal, state: RetryJoinState): Promise<void> {
  const suffix = pj.pool === 'WAN' ? ' (WAN)' : '';
  if (pj.start.length > 0) {
    try {
      const n = await pj.join(pj.start);
      logger.info({ joined: n }, `agent: joined the cluster${suffix}`);
    } catch (err) {
      throw new ConfigError(`Error joining ${pj.pool === 'WAN' ? 'WAN pool' : 'cluster'}: ${(err as Error).message}`);
    }
  }
  if (pj.retry.length > 0) {
    const addrs = pj.retry;
    state.pending = true;
    void (async () => {
      for (let round = 1; !signal.aborted; round++) {
        try {
          const n = await pj.join(addrs);
          logger.info({ joined: n }, `agent: retry join${suffix} completed`);
          return;
        } catch (err) {
          logger.warn({ err: String(err) }, `agent: join${suffix} attempt ${round} failed`);
          if (config.retryMax > 0 && round >= config.retryMax) {
            logger.error(`agent: max join${suffix} retry exhausted, exiting`);
            return;
          }
        }
        await new Promise((r) => setTimeout(r, config.retryIntervalMs).unref());
      }
    })().finally(() => {
      state.pending = false;
    });
  }
}
