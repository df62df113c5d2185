/**
 * Protocol configuration. `lan` carries memberlist's `DefaultLANConfig` numbers plus
 * Serf's reaper settings; `wan` memberlist's `DefaultWANConfig` (the servers' pool across
 * datacenters); `local` is a faster profile for tests on one machine.
 * All durations are milliseconds.
 */
export interface GossipConfig {
  readonly probeIntervalMs: number;
  readonly probeTimeoutMs: number;
  readonly indirectChecks: number;
  /** Send a TCP ping beside the indirect probes (memberlist's `DisableTcpPings = false`). */
  readonly tcpPings: boolean;
  readonly gossipIntervalMs: number;
  readonly gossipNodes: number;
  readonly gossipToTheDeadMs: number;
  readonly suspicionMult: number;
  readonly suspicionMaxTimeoutMult: number;
  readonly retransmitMult: number;
  readonly pushPullIntervalMs: number;
  readonly awarenessMaxMultiplier: number;
  readonly tcpTimeoutMs: number;
  readonly udpBufferSize: number;
  /** Largest encoded tag map, as memberlist's `MetaMaxSize`. */
  readonly maxTagBytes: number;
  /** Serf: how long a failed member is kept (and retried) before it is reaped. */
  readonly reconnectTimeoutMs: number;
  /** Serf: how long a left member is kept before it is reaped. */
  readonly tombstoneTimeoutMs: number;
  readonly reapIntervalMs: number;
  /** Serf: period of the attempt to reconnect to one random failed member. */
  readonly reconnectIntervalMs: number;
  /** Serf: how long a leaving member keeps gossiping so its `left` state spreads. */
  readonly leavePropagateDelayMs: number;
  /** Broadcast queue depth above which the oldest, most-sent entries are dropped. */
  readonly maxQueueDepth: number;
  /** Serf's `UserEventSizeLimit`: largest user event name plus payload (default 512 bytes). */
  readonly userEventSizeLimit?: number;
  /** Serf's `EventBuffer`: Lamport times of user events kept for duplicate suppression (default 512). */
  readonly userEventBufferSize?: number;
  /** Inbound TCP streams served at once; more are closed at once (memberlist caps push-pulls at 128). */
  readonly maxInboundStreams: number;
}

export type ConfigName = 'lan' | 'wan' | 'local';

const HOUR = 3_600_000;

export const lanConfig: GossipConfig = Object.freeze({
  probeIntervalMs: 1000,
  probeTimeoutMs: 500,
  indirectChecks: 3,
  tcpPings: true,
  gossipIntervalMs: 200,
  gossipNodes: 3,
  gossipToTheDeadMs: 30_000,
  suspicionMult: 4,
  suspicionMaxTimeoutMult: 6,
  retransmitMult: 4,
  pushPullIntervalMs: 30_000,
  awarenessMaxMultiplier: 8,
  tcpTimeoutMs: 10_000,
  udpBufferSize: 1400,
  maxTagBytes: 512,
  reconnectTimeoutMs: 24 * HOUR,
  tombstoneTimeoutMs: 24 * HOUR,
  reapIntervalMs: 15_000,
  reconnectIntervalMs: 30_000,
  leavePropagateDelayMs: 1000,
  maxQueueDepth: 4096,
  maxInboundStreams: 64,
});

/**
 * memberlist's `DefaultWANConfig`: the LAN numbers with slower probes, longer timeouts and
 * suspicion, gossip to one more member less often; Consul keeps failed WAN members for 72 h.
 */
export const wanConfig: GossipConfig = Object.freeze({
  ...lanConfig,
  tcpTimeoutMs: 30_000,
  suspicionMult: 6,
  pushPullIntervalMs: 60_000,
  probeTimeoutMs: 3000,
  probeIntervalMs: 5000,
  gossipNodes: 4,
  gossipIntervalMs: 500,
  gossipToTheDeadMs: 60_000,
  reconnectTimeoutMs: 72 * HOUR,
});

export const localConfig: GossipConfig = Object.freeze({
  probeIntervalMs: 500,
  probeTimeoutMs: 200,
  indirectChecks: 1,
  tcpPings: true,
  gossipIntervalMs: 100,
  gossipNodes: 3,
  gossipToTheDeadMs: 15_000,
  suspicionMult: 3,
  suspicionMaxTimeoutMult: 6,
  retransmitMult: 4,
  pushPullIntervalMs: 15_000,
  awarenessMaxMultiplier: 8,
  tcpTimeoutMs: 1000,
  udpBufferSize: 1400,
  maxTagBytes: 512,
  reconnectTimeoutMs: 60_000,
  tombstoneTimeoutMs: 60_000,
  reapIntervalMs: 5000,
  reconnectIntervalMs: 5000,
  leavePropagateDelayMs: 300,
  maxQueueDepth: 4096,
  maxInboundStreams: 64,
});

export const configs: Readonly<Record<ConfigName, GossipConfig>> = Object.freeze({ lan: lanConfig, wan: wanConfig, local: localConfig });

/** A named profile, optionally with some fields overridden. */
export function resolveConfig(base: ConfigName | GossipConfig, overrides: Partial<GossipConfig> = {}): GossipConfig {
  const resolved = typeof base === 'string' ? configs[base] : base;
  return Object.freeze({ ...resolved, ...overrides });
}
