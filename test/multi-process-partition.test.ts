import { execFileSync } from 'node:child_process';
import test from 'ava';
import { type Proc, ProcessCluster, getText, until } from './_process-cluster.js';

/**
 * A partition on loopback: every server runs with its own group ID, and iptables rules in a
 * chain of this test drop the packets the isolated server sends to the others' RPC and gossip
 * ports and the packets the others send to its ports. Needs root (CI runs as root).
 */
class Firewall {
  readonly chain = `CONCORD${process.pid}`;

  constructor() {
    this.#ipt('-N', this.chain);
    this.#ipt('-I', 'OUTPUT', '-j', this.chain);
  }

  #ipt(...args: string[]): void {
    execFileSync('iptables', ['-w', ...args], { stdio: 'pipe' });
  }

  isolate(p: Proc, others: readonly Proc[]): void {
    const gid = String(p.gid);
    const theirs = others.flatMap((o) => [o.rpcPort, o.serfPort]).join(',');
    const mine = [p.rpcPort, p.serfPort].join(',');
    for (const proto of ['tcp', 'udp']) {
      this.#ipt('-A', this.chain, '-p', proto, '-m', 'owner', '--gid-owner', gid, '-m', 'multiport', '--dports', theirs, '-j', 'DROP');
      this.#ipt('-A', this.chain, '-p', proto, '-m', 'multiport', '--dports', mine, '-m', 'owner', '!', '--gid-owner', gid, '-j', 'DROP');
    }
  }

  heal(): void {
    this.#ipt('-F', this.chain);
  }

  remove(): void {
    try {
      this.#ipt('-D', 'OUTPUT', '-j', this.chain);
      this.#ipt('-F', this.chain);
      this.#ipt('-X', this.chain);
    } catch {
      // already gone
    }
  }
}

test('an isolated leader stops serving, the majority elects a new one, and the cluster converges after healing', async (t) => {
  const firewall = new Firewall();
  t.teardown(() => firewall.remove());
  const c = new ProcessCluster(t);
  const base = 40_000 + (process.pid % 5000) * 3;
  const first = await c.startServer({ expect: 3, gid: base });
  const rest = [await c.startServer({ expect: 3, gid: base + 1, join: first }), await c.startServer({ expect: 3, gid: base + 2, join: first })];
  const servers = [first, ...rest];
  const old = await c.waitForLeader(servers, 20_000);
  const others = servers.filter((s) => s !== old);
  t.is((await getText(old.httpPort, '/v1/kv/part/k', { method: 'PUT', body: '1' })).text, 'true');

  firewall.isolate(old, others);
  const next = await c.waitForLeader(others, 20_000);
  t.not(next.name, old.name);
  // The old leader steps down (check-quorum) and stops answering default reads itself.
  const refused = await until(
    async () => {
      const r = await getText(old.httpPort, '/v1/kv/part/k?raw', {}, 12_000);
      return r.status === 500 ? r : undefined;
    },
    30_000,
    'the isolated leader to refuse default reads',
  );
  t.is(refused.text, 'No cluster leader');
  t.false(await c.isLeader(old));
  // The majority keeps working.
  t.is((await getText(next.httpPort, '/v1/kv/part/k', { method: 'PUT', body: '2' })).text, 'true');
  t.is((await getText(others.find((o) => o !== next)?.httpPort ?? 0, '/v1/kv/part/k?raw')).text, '2');

  firewall.heal();
  const healed = await c.waitForLeader(servers, 20_000);
  t.truthy(healed);
  for (const s of servers) {
    await until(async () => (await getText(s.httpPort, '/v1/kv/part/k?raw&stale')).text === '2', 20_000, `${s.name} to converge`);
  }
  await until(async () => (await getText(old.httpPort, '/v1/kv/part/k?raw')).text === '2', 20_000, 'default reads through the old leader');
  const conf = JSON.parse((await getText(healed.httpPort, '/v1/operator/raft/configuration')).text) as { Servers: { Voter: boolean }[] };
  t.is(conf.Servers.filter((s) => s.Voter).length, 3);
});
