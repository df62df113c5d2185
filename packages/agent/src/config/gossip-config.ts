import { ConfigError } from './config-error.js';
import { type Json, dur, int } from './json-fields.js';

/** `gossip_lan` and `gossip_wan` keys (Consul's names) mapped to the gossip package's settings. */
const GOSSIP_KEYS: Record<string, { name: string; duration: boolean }> = {
  gossip_nodes: { name: 'gossipNodes', duration: false },
  gossip_interval: { name: 'gossipIntervalMs', duration: true },
  probe_interval: { name: 'probeIntervalMs', duration: true },
  probe_timeout: { name: 'probeTimeoutMs', duration: true },
  suspicion_mult: { name: 'suspicionMult', duration: false },
  retransmit_mult: { name: 'retransmitMult', duration: false },
};

export function gossipOverrides(key: string, block: Json): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(block)) {
    const spec = GOSSIP_KEYS[k];
    if (!spec) throw new ConfigError(`${key}: invalid config key ${k}`);
    const n = spec.duration ? dur(v, `${key}.${k}`) : int(v, `${key}.${k}`);
    if (n === undefined || n <= 0) throw new ConfigError(`${key}.${k} must be positive`);
    out[spec.name] = n;
  }
  return out;
}
