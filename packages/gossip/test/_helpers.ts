import type { CoreOutput, Endpoint, GossipConfig, PacketMessage, PushPullState } from '../src/index.js';
import { SwimCore, createPrng, resolveConfig } from '../src/index.js';

export function endpointOf(name: string): Endpoint {
  const i = Number(name.replace(/\D/g, '')) || 0;
  return { addr: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`, port: 7946 };
}

export function stateOf(name: string, over: Partial<PushPullState> = {}): PushPullState {
  return { name, ...endpointOf(name), inc: 1, status: 'alive', tags: {}, ...over };
}

export interface TestCore {
  core: SwimCore;
  /** Outputs collected so far (drained from the core). */
  out: CoreOutput[];
  /** Advance to `t`, ticking at every deadline on the way, collecting outputs. */
  advance(t: number): void;
  now(): number;
  packets(): Array<{ to: Endpoint; msgs: readonly PacketMessage[] }>;
  clear(): void;
  step(fromName: string, msgs: PacketMessage[]): void;
  /** Advance in 1 ms steps until the core sends a probe ping; returns it, outputs cleared before. */
  untilPing(): { t: 'ping'; seq: number; node: string };
}

export function makeCore(
  opts: {
    name?: string;
    peers?: Array<string | PushPullState>;
    config?: Partial<GossipConfig>;
    seed?: number;
    /** Members that answer our pings at once (all when true). */
    autoAck?: boolean | string[];
  } = {},
): TestCore {
  const name = opts.name ?? 'n0';
  const config = resolveConfig('lan', { tcpPings: true, ...opts.config });
  let now = 0;
  const core = new SwimCore({ name, ...endpointOf(name), config, rng: createPrng(opts.seed ?? 1), now });
  const peers = opts.peers ?? ['n1', 'n2', 'n3'];
  core.restore(
    peers.map((p) => (typeof p === 'string' ? stateOf(p) : p)),
    now,
  );
  const out: CoreOutput[] = [];
  const acks = opts.autoAck;
  const answers = (peer: string) => acks === true || (Array.isArray(acks) && acks.includes(peer));
  const collect = () => {
    for (let batch = core.drain(); batch.length > 0; batch = core.drain()) {
      out.push(...batch);
      for (const o of batch) {
        if (o.kind !== 'packet') continue;
        for (const m of o.msgs) {
          if (m.t === 'ping' && answers(m.node)) core.step(o.to, [{ t: 'ack', seq: m.seq }], now);
        }
      }
    }
  };
  const t: TestCore = {
    core,
    out,
    advance(target: number) {
      for (;;) {
        const d = core.nextDeadline();
        if (d > target) break;
        now = Math.max(now, d);
        core.tick(now);
        collect();
      }
      now = target;
      core.tick(now);
      collect();
    },
    now: () => now,
    packets() {
      const r: Array<{ to: Endpoint; msgs: readonly PacketMessage[] }> = [];
      for (const o of out) if (o.kind === 'packet') r.push({ to: o.to, msgs: o.msgs });
      return r;
    },
    clear() {
      out.length = 0;
    },
    untilPing() {
      for (let i = 0; i < 100_000; i++) {
        t.clear();
        t.advance(now + 1);
        for (const p of t.packets()) {
          for (const m of p.msgs) if (m.t === 'ping') return m;
        }
      }
      throw new Error('no probe within 100 s');
    },
    step(fromName: string, msgs: PacketMessage[]) {
      core.step(endpointOf(fromName), msgs, now);
      collect();
    },
  };
  return t;
}

export function nameAt(e: Endpoint): string {
  const [, , a, b] = e.addr.split('.').map(Number);
  return `n${(a ?? 0) * 250 + (b ?? 1) - 1}`;
}
