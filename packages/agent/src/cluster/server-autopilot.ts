/**
 * A server's autopilot: its replicated settings, the health judgement of
 * `/v1/operator/autopilot/health` (with how long each server has been as it is now), and the
 * leader's `autopilot.healthy` and `autopilot.failure_tolerance` gauges.
 */
import { parseDuration } from '@concord/goflags';
import type { AutopilotConfig, AutopilotConfigEntry, Command } from '@concord/state';
import type { Logger } from 'pino';
import type { AgentConfig } from '../config/config.js';
import type { StateServer, WriteResult } from '../server/state-server.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { autopilotHealth } from './autopilot-health.js';
import type { AutopilotHealth, RaftServerView } from './cluster.js';
import type { Membership } from './membership.js';
import type { RaftLog } from './raft-log.js';
import type { RpcClients } from './rpc.js';

export interface ServerAutopilotOptions {
  config: AgentConfig;
  version: string;
  server: StateServer;
  membership: Membership;
  raft: RaftLog;
  rpc: RpcClients;
  logger: Logger;
  telemetry: Telemetry | undefined;
  write: (command: Command) => Promise<WriteResult>;
  servers: () => RaftServerView[];
  leading: () => boolean;
}

export class ServerAutopilot {
  readonly #o: ServerAutopilotOptions;
  /** Per raft ID: the health autopilot last judged, and since when. */
  readonly #stability = new Map<string, { healthy: boolean; since: number }>();
  #gauges: NodeJS.Timeout | undefined;

  constructor(o: ServerAutopilotOptions) {
    this.#o = o;
  }

  /** Autopilot's replicated settings, or this server's `autopilot` block before any are stored. */
  config(): AutopilotConfigEntry {
    return this.#o.server.state.autopilotConfig().value ?? { ...this.#o.config.autopilot, CreateIndex: 0, ModifyIndex: 0 };
  }

  async setConfig(config: AutopilotConfig, cas: number | undefined): Promise<boolean> {
    const out = await this.#o.write({ type: 'autopilot-set', config, ...(cas === undefined ? {} : { cas }) });
    return out.result.value === true;
  }

  /** On becoming leader: store the `autopilot` block when none is stored yet, start the gauges. */
  lead(): void {
    this.#storeInitialConfig();
    this.#startGauges();
  }

  stop(): void {
    clearInterval(this.#gauges);
  }

  health(): Promise<AutopilotHealth> {
    const { raft, config, server } = this.#o;
    const st = raft.status();
    const ap = this.config();
    return autopilotHealth({
      selfId: config.nodeId,
      version: this.#o.version,
      servers: this.#o.servers(),
      gossipStatus: new Map(this.#o.membership.servers().map((s) => [s.id, s.status])),
      leaderLastIndex: st?.lastIndex,
      matchOf: (id) => st?.progress.get(id)?.match,
      lastContactThresholdMs: parseDuration(ap.LastContactThreshold) ?? 200,
      maxTrailingLogs: ap.MaxTrailingLogs,
      stableSince: (id, healthy) => {
        const prev = this.#stability.get(id);
        if (prev && prev.healthy === healthy) return prev.since;
        const now = Date.now();
        this.#stability.set(id, { healthy, since: now });
        return now;
      },
      position: async (s) => {
        if (s.ID === config.nodeId) {
          return { lastIndex: st?.lastIndex ?? server.state.lastIndex, term: st?.term ?? 1, contactMs: raft.lastContactMs() };
        }
        const remote = await this.#o.rpc.status(s.Address, 1000).catch(() => undefined);
        return remote && { lastIndex: remote.lastIndex, term: remote.term, contactMs: Number(remote.lastContactMs) };
      },
    });
  }

  /** The leader's gauges, every 10 s as Consul's. */
  #startGauges(): void {
    const t = this.#o.telemetry;
    if (!t) return;
    clearInterval(this.#gauges);
    const emit = () => {
      this.health()
        .then((h) => {
          if (!this.#o.leading()) return;
          t.setGauge(['autopilot', 'healthy'], h.Healthy ? 1 : 0);
          t.setGauge(['autopilot', 'failure_tolerance'], h.FailureTolerance);
        })
        .catch(() => undefined);
    };
    this.#gauges = setInterval(emit, 10_000);
    this.#gauges.unref();
    emit();
  }

  #storeInitialConfig(): void {
    if (this.#o.server.state.autopilotConfig().value) return;
    this.#o
      .write({ type: 'autopilot-set', config: this.#o.config.autopilot, cas: 0 })
      .catch((err: unknown) => this.#o.logger.warn({ err: String(err) }, 'autopilot: storing the initial configuration failed'));
  }
}
