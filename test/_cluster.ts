/**
 * More for the cluster tests, beside ProcessCluster and KvHistory: a small network of Linux
 * network namespaces that can cut a member off for real, and create-once writes on unique keys
 * that tell a lost acknowledged write and a write applied twice apart.
 */
import { execFileSync } from 'node:child_process';
import type { ExecutionContext } from 'ava';
import { getText } from './_process-cluster.js';

/** Runs `ip ...args` and returns its output; throws with its stderr when it fails. */
export function ip(...args: string[]): string {
  return execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

/** The addresses and namespace one member runs with. */
export interface NetMember {
  readonly netns: string;
  /** On the shared switch: RPC and gossip. */
  readonly bind: string;
  /** On a private link to the test's own namespace: HTTP and DNS. */
  readonly client: string;
}

/**
 * Members in namespaces of their own. Each has `eth0` on a bridge in a switch namespace (the
 * cluster network, for RPC and gossip) and `ctl0`, a point-to-point link to the namespace the
 * test runs in (for HTTP and DNS). Taking a member's switch port down partitions it from every
 * other member in both directions while the test still reaches its HTTP API.
 */
export class NetLab {
  readonly members: NetMember[] = [];
  readonly #prefix = `cc${process.pid % 100_000}`;
  readonly #hostLinks: string[] = [];
  readonly #namespaces: string[] = [];

  /** Undefined when namespaces can be made here, else why not. */
  static unavailable(): string | undefined {
    const probe = `ccprobe${process.pid}`;
    try {
      ip('netns', 'add', probe);
      ip('netns', 'del', probe);
      return undefined;
    } catch (err) {
      return `ip netns is not usable: ${String((err as { stderr?: string }).stderr ?? err).trim()}`;
    }
  }

  constructor(t: ExecutionContext, n: number) {
    t.teardown(() => this.remove());
    const subnet = NetLab.#freeSubnet();
    const sw = `${this.#prefix}sw`;
    this.#addNamespace(sw);
    ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', sw, 'link', 'set', 'br0', 'up');
    for (let i = 0; i < n; i++) {
      const ns = `${this.#prefix}n${i}`;
      this.#addNamespace(ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('link', 'add', 'name', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', sw);
      ip('-n', sw, 'link', 'set', `p${i}`, 'master', 'br0', 'up');
      const bind = `10.232.${subnet}.${10 + i}`;
      ip('-n', ns, 'addr', 'add', `${bind}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      const host = `${this.#prefix}h${i}`;
      ip('link', 'add', host, 'type', 'veth', 'peer', 'name', 'ctl0', 'netns', ns);
      this.#hostLinks.push(host);
      ip('addr', 'add', `10.231.${subnet}.${4 * i + 1}/30`, 'dev', host);
      ip('link', 'set', host, 'up');
      const client = `10.231.${subnet}.${4 * i + 2}`;
      ip('-n', ns, 'addr', 'add', `${client}/30`, 'dev', 'ctl0');
      ip('-n', ns, 'link', 'set', 'ctl0', 'up');
      this.members.push({ netns: ns, bind, client });
    }
  }

  /** A third octet whose control addresses no interface of this namespace uses yet. */
  static #freeSubnet(): number {
    const used = ip('-4', '-o', 'addr', 'show');
    for (let k = 0; k < 250; k++) {
      const x = ((process.pid + k) % 250) + 1;
      if (!used.includes(`10.231.${x}.`)) return x;
    }
    throw new Error('no free 10.231.x.0/24 subnet for the test network');
  }

  #addNamespace(ns: string): void {
    ip('netns', 'add', ns);
    this.#namespaces.push(ns);
  }

  /** Takes member i's port on the switch down: it reaches no other member, none reaches it. */
  isolate(i: number): void {
    ip('-n', `${this.#prefix}sw`, 'link', 'set', `p${i}`, 'down');
  }

  heal(): void {
    for (let i = 0; i < this.members.length; i++) ip('-n', `${this.#prefix}sw`, 'link', 'set', `p${i}`, 'up');
  }

  remove(): void {
    for (const link of this.#hostLinks.splice(0)) {
      try {
        ip('link', 'del', link);
      } catch {
        // gone with its namespace
      }
    }
    for (const ns of this.#namespaces.splice(0)) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // already gone
      }
    }
  }
}

/**
 * Writes of fresh keys with `?cas=0` (create only if absent). Each key is written by one request
 * only, so an answer `false` means the agent applied that request twice, and an acknowledged key
 * missing later means an acknowledged write was lost. Failed or timed-out writes are unknown.
 */
export class CreateOnce {
  readonly acked: string[] = [];
  readonly unknown: string[] = [];
  /** Keys whose single write answered `false`: the write was applied more than once. */
  readonly doubled: string[] = [];
  /** What the agent answered to the writes that were not acknowledged, by key. */
  readonly answers = new Map<string, string>();
  readonly #prefix: string;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  async put(target: number | string, key: string): Promise<void> {
    try {
      const r = await getText(target, `/v1/kv/${this.#prefix}/${key}?cas=0`, { method: 'PUT', body: key }, 10_000);
      if (r.status === 200 && r.text === 'true') {
        this.acked.push(key);
        return;
      }
      if (r.status === 200 && r.text === 'false') this.doubled.push(key);
      else this.unknown.push(key);
      this.answers.set(key, `${r.status} ${r.text}`);
    } catch (err) {
      this.unknown.push(key);
      this.answers.set(key, String(err));
    }
  }

  /** Runs `writers` loops writing keys `<writer>-<seq>` to `target(writer)` until `stop()`. */
  async run(writers: number, target: (writer: number) => number | string, stop: () => boolean): Promise<void> {
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let seq = 0; !stop(); seq++) {
          const acked = this.acked.length;
          await this.put(target(w), `${w}-${seq}`);
          // An agent that is down refuses at once: do not spin on it.
          if (this.acked.length === acked) await new Promise((r) => setTimeout(r, 100));
        }
      }),
    );
  }

  /** The keys this agent holds (a stale read: its own state). */
  async keys(target: number | string): Promise<Set<string>> {
    const r = await getText(target, `/v1/kv/${this.#prefix}/?keys&stale`);
    if (r.status === 404) return new Set();
    if (r.status !== 200) throw new Error(`listing keys: ${r.status} ${r.text}`);
    return new Set((JSON.parse(r.text) as string[]).map((k) => k.slice(this.#prefix.length + 1)));
  }

  /** Acknowledged keys the agent does not hold. */
  async missing(target: number | string): Promise<string[]> {
    const held = await this.keys(target);
    return this.acked.filter((k) => !held.has(k));
  }

  /**
   * Gives each agent (by name) up to `timeoutMs` to hold every acknowledged key, then returns
   * the keys still missing, by agent: empty when nothing acknowledged was lost.
   */
  async lost(agents: Record<string, number | string>, timeoutMs = 20_000): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const [name, target] of Object.entries(agents)) {
      const end = Date.now() + timeoutMs;
      let missing = await this.missing(target).catch(() => this.acked);
      while (missing.length > 0 && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 250));
        missing = await this.missing(target).catch(() => this.acked);
      }
      if (missing.length > 0) out[name] = missing;
    }
    return out;
  }
}
