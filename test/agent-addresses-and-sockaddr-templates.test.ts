import { type ChildProcess, spawn } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { BIN, ROOT } from './_agent.js';
import { NetLab, ip } from './_cluster.js';
import { getText, until } from './_process-cluster.js';

/**
 * Addresses as operators write them, on real agent processes: several -client addresses, and
 * go-sockaddr templates and the advertise address chosen from the interfaces of network
 * namespaces the test makes (each with one veth link to the test's own namespace). Needs root
 * for the namespaces; in CI a missing `ip netns` fails.
 */

interface Started {
  readonly child: ChildProcess;
  readonly httpPort: number;
  readonly dnsPort: number;
  readonly serfPort: number;
  readonly banner: string;
}

const BANNER = /Client Addr: \[([^\]]*)\] \(HTTP: (\d+).*DNS: (-?\d+)\)[\s\S]*Cluster Addr: (\S+) \(LAN: (\d+)/;

/** Runs `concord agent` (in `netns` if given) and resolves once its banner is out, or with its exit. */
async function runAgent(t: ExecutionContext, args: string[], netns?: string): Promise<{ started: Started } | { exitCode: number | null; output: string }> {
  const argv = [BIN, 'agent', '-http-port', '0', '-serf-lan-port', '0', '-serf-wan-port', '0', '-server-port', '0', ...args];
  const [cmd, cmdArgs] = netns ? ['ip', ['netns', 'exec', netns, process.execPath, ...argv]] : [process.execPath, argv];
  const child = spawn(cmd, cmdArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  t.teardown(() => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return until(
    async () => {
      const m = BANNER.exec(output);
      if (m) return { started: { child, httpPort: Number(m[2]), dnsPort: Number(m[3]), serfPort: Number(m[5]), banner: m[0] } };
      if (child.exitCode !== null || child.signalCode !== null) return { exitCode: await exited, output };
      return undefined;
    },
    60_000,
    `the agent to start or exit (${args.join(' ')})`,
    25,
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}\n${output.slice(-3000)}`);
  });
}

function started(t: ExecutionContext, r: Awaited<ReturnType<typeof runAgent>>): Started {
  if ('started' in r) return r.started;
  t.fail(`the agent exited with ${r.exitCode}:\n${r.output.slice(-2000)}`);
  throw new Error('not started');
}

test('-client with two addresses serves HTTP and DNS on both', async (t) => {
  const a = started(t, await runAgent(t, ['-dev', '-node', `two-${process.pid}`, '-client', '127.0.0.1 127.0.0.2', '-dns-port', '0']));
  t.regex(a.banner, /Client Addr: \[127\.0\.0\.1 127\.0\.0\.2\]/);
  for (const host of ['127.0.0.1', '127.0.0.2']) {
    const self = await getText(`${host}:${a.httpPort}`, '/v1/agent/self');
    t.is(self.status, 200, host);
    t.deepEqual((JSON.parse(self.text) as { DebugConfig: { ClientAddrs: string[] } }).DebugConfig.ClientAddrs, ['127.0.0.1', '127.0.0.2']);
    const resolver = new Resolver({ timeout: 3000, tries: 2 });
    resolver.setServers([`${host}:${a.dnsPort}`]);
    t.deepEqual(await resolver.resolve4('consul.service.consul'), ['127.0.0.1'], host);
  }
  // A write through one address is read through the other.
  t.is((await getText(`127.0.0.2:${a.httpPort}`, '/v1/kv/two', { method: 'PUT', body: 'both' })).text, 'true');
  t.is((await getText(`127.0.0.1:${a.httpPort}`, '/v1/kv/two?raw')).text, 'both');
});

test('-bind and -client templates on a dev agent resolve to loopback', async (t) => {
  const lo = '{{ GetAllInterfaces | include "flags" "loopback" | include "type" "ipv4" | attr "address" }}';
  const a = started(t, await runAgent(t, ['-dev', '-node', `tpl-${process.pid}`, '-bind', lo, '-client', lo, '-dns-port', '-1']));
  const members = JSON.parse((await getText(a.httpPort, '/v1/agent/members')).text) as { Addr: string; Port: number }[];
  t.deepEqual(
    members.map((m) => [m.Addr, m.Port]),
    [['127.0.0.1', a.serfPort]],
  );
});

test('a template naming no address, or one that does not parse, stops the agent with a one-line error', async (t) => {
  const empty = await runAgent(t, ['-dev', '-client', '{{ GetInterfaceIP "lo" }}', '-dns-port', '-1']);
  t.false('started' in empty);
  if ('started' in empty) return;
  t.is(empty.exitCode, 1);
  t.is(empty.output.trim(), '==> client_addr cannot be empty: "{{ GetInterfaceIP \\"lo\\" }}" names no address');
  const broken = await runAgent(t, ['-dev', '-bind', '{{ GetPrivateIP', '-dns-port', '-1']);
  t.false('started' in broken);
  if (!('started' in broken)) t.regex(broken.output, /^==> bind_addr: error parsing "\{\{ GetPrivateIP": .*unclosed action\n$/);
});

const unavailable = NetLab.unavailable();
const nsTitle = 'in a namespace with one private address, an agent bound to 0.0.0.0 advertises it; templates pick the interface; several or none stop it';

if (unavailable && process.env.CI !== 'true') {
  test.skip(`${nsTitle} (${unavailable})`, () => {});
} else {
  test(nsTitle, async (t) => {
    t.is(unavailable, undefined);
    if (unavailable) return;
    const prefix = `sa${process.pid % 100_000}`;
    const namespaces: string[] = [];
    const hostLinks: string[] = [];
    t.teardown(() => {
      for (const l of hostLinks) {
        try {
          ip('link', 'del', l);
        } catch {
          // gone with its namespace
        }
      }
      for (const ns of namespaces) {
        try {
          ip('netns', 'del', ns);
        } catch {
          // already gone
        }
      }
    });
    const used = ip('-4', '-o', 'addr', 'show');
    const subnet = Array.from({ length: 250 }, (_, k) => ((process.pid + k) % 250) + 1).find((x) => !used.includes(`10.241.${x}.`));
    if (subnet === undefined) return t.fail('no free 10.241.x.0/24 subnet');
    /** A namespace with lo up and a veth `sa0` to the test's namespace; returns the namespace's address on it. */
    const namespace = (i: number): { ns: string; addr: string } => {
      const ns = `${prefix}n${i}`;
      ip('netns', 'add', ns);
      namespaces.push(ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      const host = `${prefix}h${i}`;
      ip('link', 'add', host, 'type', 'veth', 'peer', 'name', 'sa0', 'netns', ns);
      hostLinks.push(host);
      ip('addr', 'add', `10.241.${subnet}.${4 * i + 1}/30`, 'dev', host);
      ip('link', 'set', host, 'up');
      const addr = `10.241.${subnet}.${4 * i + 2}`;
      ip('-n', ns, 'addr', 'add', `${addr}/30`, 'dev', 'sa0');
      ip('-n', ns, 'link', 'set', 'sa0', 'up');
      ip('-n', ns, 'route', 'add', 'default', 'via', `10.241.${subnet}.${4 * i + 1}`);
      return { ns, addr };
    };
    const dataDir = mkdtempSync(join(tmpdir(), 'concord-addr-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

    // One private address besides loopback: a server with no -bind and no -advertise advertises it.
    const { ns, addr } = namespace(0);
    const onSa0 = '{{ GetInterfaceIP "sa0" }}';
    const server = started(
      t,
      await runAgent(t, ['-server', '-bootstrap-expect=1', '-node', `${prefix}-s`, '-data-dir', join(dataDir, 's'), '-client', onSa0, '-dns-port', '-1'], ns),
    );
    t.regex(server.banner, new RegExp(`Client Addr: \\[${addr.replaceAll('.', '\\.')}\\][\\s\\S]*Cluster Addr: ${addr.replaceAll('.', '\\.')} `));
    const at = `${addr}:${server.httpPort}`;
    const members = JSON.parse((await getText(at, '/v1/agent/members')).text) as { Name: string; Addr: string }[];
    t.deepEqual(
      members.map((m) => m.Addr),
      [addr],
    );
    const node = await until(
      async () => {
        const r = await getText(at, `/v1/catalog/node/${prefix}-s`);
        return r.status === 200 && r.text !== 'null' ? (JSON.parse(r.text) as { Node: { Address: string; TaggedAddresses: Record<string, string> } }) : undefined;
      },
      30_000,
      'the server node in the catalog',
      200,
    );
    t.is(node.Node.Address, addr);
    t.is(node.Node.TaggedAddresses.lan, addr);
    const leader = await until(
      async () => {
        const r = await getText(at, '/v1/status/leader');
        return r.text !== '""' ? r.text : undefined;
      },
      30_000,
      'a leader',
    );
    t.regex(leader, new RegExp(`^"${addr.replaceAll('.', '\\.')}:\\d+"$`));

    // A client in the same namespace binds by template and joins by template.
    const client = started(
      t,
      await runAgent(
        t,
        [
          '-node',
          `${prefix}-c`,
          '-data-dir',
          join(dataDir, 'c'),
          '-bind',
          '{{ GetPrivateIP }}',
          '-client',
          onSa0,
          '-dns-port',
          '-1',
          '-retry-join',
          `{{ GetPrivateIP }}:${server.serfPort}`,
          '-retry-interval',
          '1s',
        ],
        ns,
      ),
    );
    const joined = await until(
      async () => {
        const list = JSON.parse((await getText(`${addr}:${client.httpPort}`, '/v1/agent/members')).text) as { Name: string; Addr: string; Status: number }[];
        return list.length === 2 && list.every((m) => m.Status === 1) ? list : undefined;
      },
      30_000,
      'the client to join through its templated -retry-join',
    );
    t.deepEqual(
      joined.map((m) => m.Addr),
      [addr, addr],
    );
    t.is((await getText(`${addr}:${client.httpPort}`, '/v1/kv/ns', { method: 'PUT', body: 'ok' })).text, 'true');

    // Two private addresses: Consul's error, asking for -bind/-advertise.
    const second = namespace(1);
    ip('-n', second.ns, 'addr', 'add', '192.168.77.7/24', 'dev', 'sa0');
    const several = await runAgent(
      t,
      ['-server', '-bootstrap-expect=1', '-node', `${prefix}-m`, '-data-dir', join(dataDir, 'm'), '-client', second.addr, '-dns-port', '-1'],
      second.ns,
    );
    t.false('started' in several);
    if (!('started' in several)) {
      t.is(several.exitCode, 1);
      t.is(several.output.trim(), "==> Multiple private IPv4 addresses found. Please configure one with 'bind' and/or 'advertise'.");
    }
    // ... and -advertise settles it.
    const chosen = started(
      t,
      await runAgent(
        t,
        [
          '-server',
          '-bootstrap-expect=1',
          '-node',
          `${prefix}-a`,
          '-data-dir',
          join(dataDir, 'a'),
          '-client',
          second.addr,
          '-dns-port',
          '-1',
          '-advertise',
          '{{ GetAllInterfaces | include "network" "192.168.0.0/16" | attr "address" }}',
        ],
        second.ns,
      ),
    );
    t.regex(chosen.banner, /Cluster Addr: 192\.168\.77\.7 /);

    // No interface up at all (a fresh namespace's loopback is down): Consul's other error.
    const bare = `${prefix}bare`;
    ip('netns', 'add', bare);
    namespaces.push(bare);
    const none = await runAgent(t, ['-node', `${prefix}-n`, '-data-dir', join(dataDir, 'n'), '-dns-port', '-1'], bare);
    t.false('started' in none);
    if (!('started' in none)) t.is(none.output.trim(), '==> No private IPv4 address found');
  });
}
