/**
 * ACL replication across two datacenters (default deny), through real processes: the primary is
 * authoritative, the secondary's leader replicates policies, roles and global tokens from it,
 * ACL writes made in the secondary land in the primary, local tokens stay where they were made,
 * `/v1/acl/replication` reports progress, Consul's deprecated keys set the same up, and with the
 * primary cut off the secondary keeps resolving what it replicated while ACL writes fail.
 */
import test, { type ExecutionContext } from 'ava';
import { type Proc, ProcessCluster, getText, httpAddr, until } from './_process-cluster.js';
import { FAST_WAN } from './_wan.js';

const ROOT = '5d2c7a41-8e3b-4c6f-9a10-2b3c4d5e6f70';
const REC1 = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const REC2 = '1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e';

/** `/v1/acl/replication`, with the fields this test reads by name (the rest are checked with t.like). */
interface Status {
  [field: string]: unknown;
  Running: boolean;
  ReplicatedIndex: number;
  ReplicatedRoleIndex: number;
  ReplicatedTokenIndex: number;
  LastSuccess: string;
  LastError: string;
  LastErrorMessage: string;
}

const req = (p: Proc, method: string, path: string, token?: string, body?: unknown) =>
  getText(httpAddr(p), path, { method, headers: token ? { 'X-Consul-Token': token } : {}, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

const status = async (p: Proc, q = ''): Promise<Status> => JSON.parse((await req(p, 'GET', `/v1/acl/replication${q}`)).text) as Status;

/** The names of the WAN pool as `p` sees it (read with its agent recovery token: anonymous sees nothing under default deny). */
async function wanMembers(p: Proc): Promise<string[]> {
  const r = await req(p, 'GET', '/v1/agent/members?wan=1', p.token);
  return (JSON.parse(r.text) as { Name: string; Status: number }[])
    .filter((m) => m.Status === 1)
    .map((m) => m.Name)
    .sort();
}

/** Starts the primary and then the secondary (joining the primary's WAN pool); resolves once each leads and both see each other. */
async function twoDatacenters(c: ProcessCluster, primary: Record<string, unknown>, secondary: Record<string, unknown>): Promise<[Proc, Proc]> {
  const s1 = await c.startServer({ expect: 1, config: { datacenter: 'dc1', ...FAST_WAN, ...primary } });
  const s2 = await c.startServer({ expect: 1, config: { datacenter: 'dc2', ...FAST_WAN, retry_join_wan: [`127.0.0.1:${s1.serfWanPort}`], ...secondary } });
  await c.waitForLeader([s1], 30_000);
  await c.waitForLeader([s2], 30_000);
  for (const s of [s1, s2]) await until(async () => (await wanMembers(s)).length === 2, 30_000, `${s.name} to see both datacenters`);
  await until(async () => (await req(s1, 'GET', '/v1/acl/policies', ROOT)).status === 200, 30_000, 'the initial management token in the primary');
  return [s1, s2];
}

/** How long until `probe` holds (a request sent then), bounded by `timeoutMs`. */
async function msUntil(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const from = Date.now();
  let sentAt = 0;
  await until(
    async () => {
      const at = Date.now();
      const ok = await probe();
      if (ok) sentAt = at;
      return ok;
    },
    timeoutMs,
    what,
    50,
  );
  return sentAt - from;
}

const PRIMARY_ACL = { primary_datacenter: 'dc1', acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: ROOT, agent_recovery: REC1 } } };
const SECONDARY_ACL = {
  primary_datacenter: 'dc1',
  acl: { enabled: true, default_policy: 'deny', enable_token_replication: true, tokens: { replication: ROOT, agent_recovery: REC2 } },
};

test.serial('the primary is authoritative and the secondary replicates it: tokens, policies, roles, deletions, local tokens, status, and the primary cut off', async (t) => {
  const c = new ProcessCluster(t);
  const [s1, s2] = await twoDatacenters(c, PRIMARY_ACL, SECONDARY_ACL);
  t.is((await req(s2, 'PUT', '/v1/kv/app/x', undefined, 'v')).status, 403, 'default deny in the secondary');

  // A policy and a token made in the primary work in the secondary within a few seconds.
  const pol = await req(s1, 'PUT', '/v1/acl/policy', ROOT, { Name: 'app', Rules: 'key_prefix "app/" { policy = "write" }' });
  t.is(pol.status, 200, pol.text);
  const made = await req(s1, 'PUT', '/v1/acl/token', ROOT, { Description: 'app writer', Policies: [{ Name: 'app' }] });
  t.is(made.status, 200, made.text);
  const app = JSON.parse(made.text) as { AccessorID: string; SecretID: string };
  const keeper = JSON.parse(
    (await req(s1, 'PUT', '/v1/acl/token', ROOT, { Description: 'kept', Policies: [{ Name: 'app' }], ServiceIdentities: [{ ServiceName: 'api' }] })).text,
  ) as { AccessorID: string; SecretID: string };
  const usable = await msUntil(async () => (await req(s2, 'PUT', '/v1/kv/app/x', app.SecretID, 'v')).status === 200, 30_000, 'the token to work in dc2');
  t.true(usable <= 5000, `usable in the secondary after ${usable} ms`);
  t.is(
    (await req(s2, 'PUT', '/v1/kv/other', app.SecretID, 'v')).text,
    `Permission denied: token with AccessorID '${app.AccessorID}' lacks permission 'key:write' on "other"`,
    'only what its policy grants',
  );
  // The token may work in dc2 (resolved through the primary) a moment before replication has
  // copied it; dc2's token read answers from its own copy.
  const replicated = await until(
    async () => {
      const r = await req(s2, 'GET', `/v1/acl/token/${app.AccessorID}`, ROOT);
      return r.status === 200 ? (JSON.parse(r.text) as { Description: string; Local: boolean }) : undefined;
    },
    10_000,
    'the token replicated to dc2',
  );
  t.is(replicated.Description, 'app writer');
  t.false(replicated.Local);
  const kept = await until(
    async () => {
      const r = await req(s2, 'GET', `/v1/acl/token/${keeper.AccessorID}`, ROOT);
      return r.status === 200 ? (JSON.parse(r.text) as { ServiceIdentities?: { ServiceName: string }[] }) : undefined;
    },
    15_000,
    'the second token replicated',
  );
  t.deepEqual(kept.ServiceIdentities, [{ ServiceName: 'api' }], 'service identities replicate with their token');

  // A policy made through the secondary's HTTP API is applied by the primary (and comes back by replication).
  const web = await req(s2, 'PUT', '/v1/acl/policy', ROOT, { Name: 'web', Rules: 'service "web" { policy = "write" }' });
  t.is(web.status, 200, web.text);
  const webId = (JSON.parse(web.text) as { ID: string }).ID;
  // At once, before it replicated back: a global token naming it, then updated, through dc2 (named and read in the primary).
  const quick = await req(s2, 'PUT', '/v1/acl/token', ROOT, { Policies: [{ Name: 'web' }] });
  t.is(quick.status, 200, quick.text);
  const quickId = (JSON.parse(quick.text) as { AccessorID: string }).AccessorID;
  const renamed = await req(s2, 'PUT', `/v1/acl/token/${quickId}`, ROOT, { Description: 'renamed', Policies: [{ Name: 'web' }] });
  t.is(renamed.status, 200, renamed.text);
  t.is((JSON.parse((await req(s1, 'GET', `/v1/acl/token/${quickId}`, ROOT)).text) as { Description: string }).Description, 'renamed');
  const inPrimary = await req(s1, 'GET', '/v1/acl/policy/name/web', ROOT);
  t.is(inPrimary.status, 200, 'the policy is in the primary at once');
  t.is((JSON.parse(inPrimary.text) as { ID: string }).ID, webId);
  await until(async () => (await req(s2, 'GET', `/v1/acl/policy/${webId}`, ROOT)).status === 200, 15_000, 'the policy replicated back to dc2');
  // Roles replicate with policies.
  const role = await req(s1, 'PUT', '/v1/acl/role', ROOT, { Name: 'ops', Policies: [{ Name: 'web' }] });
  t.is(role.status, 200, role.text);
  await until(async () => (await req(s2, 'GET', '/v1/acl/role/name/ops', ROOT)).status === 200, 15_000, 'the role replicated to dc2');

  // A local token made in the secondary stays there: the primary never sees it, replication never deletes it.
  const local = await req(s2, 'PUT', '/v1/acl/token', ROOT, { Description: 'dc2 only', Local: true, Policies: [{ Name: 'app' }] });
  t.is(local.status, 200, local.text);
  const loc = JSON.parse(local.text) as { AccessorID: string; SecretID: string; Local: boolean };
  t.true(loc.Local);
  t.is((await req(s1, 'GET', `/v1/acl/token/${loc.AccessorID}`, ROOT)).status, 404, 'the primary does not know the local token');
  t.false((JSON.parse((await req(s1, 'GET', '/v1/acl/tokens', ROOT)).text) as { AccessorID: string }[]).some((x) => x.AccessorID === loc.AccessorID));
  t.is((await req(s2, 'PUT', '/v1/kv/app/local', loc.SecretID, 'v')).status, 200, 'the local token works where it was made');

  // A token deleted in the primary stops working in the secondary.
  const before = await status(s2);
  t.is((await req(s1, 'DELETE', `/v1/acl/token/${app.AccessorID}`, ROOT)).status, 200);
  const revoked = await msUntil(async () => (await req(s2, 'PUT', '/v1/kv/app/x', app.SecretID, 'v')).status === 403, 30_000, 'the deleted token to stop working in dc2');
  t.true(revoked <= 5000, `revoked in the secondary after ${revoked} ms`);
  t.is((await req(s2, 'PUT', '/v1/kv/app/x', app.SecretID, 'v')).text, 'ACL not found');
  t.is((await req(s2, 'PUT', '/v1/kv/app/local', loc.SecretID, 'v')).status, 200, 'replicating the deletion left the local token alone');

  // /v1/acl/replication reports progress in the secondary, and nothing in the primary.
  const now = await until(
    async () => {
      const s = await status(s2);
      return s.ReplicatedTokenIndex > before.ReplicatedTokenIndex ? s : undefined;
    },
    15_000,
    'the token index to move',
  );
  t.like(now, { Enabled: true, Running: true, SourceDatacenter: 'dc1', ReplicationType: 'tokens' });
  t.true(now.ReplicatedIndex > 0 && now.ReplicatedRoleIndex > 0, JSON.stringify(now));
  t.regex(now.LastSuccess, /^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  recoveredOrClean(t, now);
  t.like(await status(s1), { Enabled: false, Running: false, SourceDatacenter: '', ReplicationType: '', ReplicatedIndex: 0 });
  t.like(await status(s1, '?dc=dc2'), { Enabled: true, SourceDatacenter: 'dc1' }, 'asked of dc2 through dc1');
  // Consul's replication gauges.
  const gauges = (JSON.parse((await req(s2, 'GET', '/v1/agent/metrics', REC2)).text) as { Gauges: { Name: string; Value: number }[] }).Gauges;
  const gauge = (name: string) => gauges.find((g) => g.Name.endsWith(`.leader.replication.${name}`))?.Value;
  t.is(gauge('acl-tokens.status'), 1);
  t.true((gauge('acl-policies.index') ?? 0) > 0);
  const self2 = JSON.parse((await req(s2, 'GET', '/v1/agent/self', REC2)).text) as { Config: { Datacenter: string; PrimaryDatacenter: string } };
  t.like(self2.Config, { Datacenter: 'dc2', PrimaryDatacenter: 'dc1' });

  // Bootstrap is the primary's: asked of the secondary (never bootstrapped itself), the primary refuses it.
  const boot = await req(s2, 'PUT', '/v1/acl/bootstrap');
  t.is(boot.status, 403);
  t.regex(boot.text, /ACL bootstrap no longer allowed/);

  // The primary cut off: the secondary keeps resolving what it replicated, ACL writes fail with Consul's error.
  await c.kill(s1);
  t.is((await req(s2, 'PUT', '/v1/kv/app/y', keeper.SecretID, 'v')).status, 200, 'a replicated token still works');
  t.is((await req(s2, 'GET', '/v1/acl/policy/name/app', ROOT)).status, 200, 'replicated policies are still read');
  const started = Date.now();
  const refused = await req(s2, 'PUT', '/v1/acl/policy', ROOT, { Name: 'late', Rules: '' });
  t.is(refused.status, 500);
  t.is(refused.text, 'No path to datacenter');
  t.true(Date.now() - started < 10_000, `refused in ${Date.now() - started} ms`);
  const globalToken = await req(s2, 'PUT', '/v1/acl/token', ROOT, { Policies: [{ Name: 'app' }] });
  t.is(globalToken.status, 500);
  t.is(globalToken.text, 'No path to datacenter');
  t.is((await req(s2, 'PUT', '/v1/acl/token', ROOT, { Local: true, Policies: [{ Name: 'app' }] })).status, 200, 'local tokens are still made locally');
  const failing = await until(
    async () => {
      const s = await status(s2);
      return s.LastErrorMessage ? s : undefined;
    },
    20_000,
    'replication to report the lost primary',
  );
  t.regex(failing.LastErrorMessage, /^failed to retrieve remote ACL (policies|roles|tokens): /);
  t.not(failing.LastError, '0001-01-01T00:00:00Z');
  t.true(failing.Running);
});

test.serial(
  'Consul’s deprecated keys (acl_datacenter, acl_default_policy, acl_master_token, acl_replication_token, acl_ttl, acl_down_policy) set up the same replication',
  async (t) => {
    const c = new ProcessCluster(t);
    const [s1, s2] = await twoDatacenters(
      c,
      { acl_datacenter: 'dc1', acl_default_policy: 'deny', acl_master_token: ROOT, acl_ttl: '10s', acl: { tokens: { agent_recovery: REC1 } } },
      {
        acl_datacenter: 'dc1',
        acl_default_policy: 'deny',
        acl_down_policy: 'extend-cache',
        acl_replication_token: ROOT,
        acl: { tokens: { agent_recovery: REC2 } },
      },
    );
    t.is((await req(s2, 'GET', '/v1/kv/anything')).status, 403, 'acl_datacenter turned ACLs on, acl_default_policy denies');
    const self2 = JSON.parse((await req(s2, 'GET', '/v1/agent/self', REC2)).text) as { Config: { PrimaryDatacenter: string } };
    t.is(self2.Config.PrimaryDatacenter, 'dc1', 'acl_datacenter is the primary datacenter');
    await req(s1, 'PUT', '/v1/acl/policy', ROOT, { Name: 'kv', Rules: 'key_prefix "" { policy = "read" }' });
    const tok = JSON.parse((await req(s1, 'PUT', '/v1/acl/token', ROOT, { Policies: [{ Name: 'kv' }] })).text) as { SecretID: string };
    await until(async () => (await req(s2, 'GET', '/v1/kv/anything', tok.SecretID)).status === 404, 30_000, 'the token to work in dc2 (a missing key, readable)');
    const s = await until(
      async () => {
        const v = await status(s2);
        return v.ReplicatedTokenIndex > 0 ? v : undefined;
      },
      15_000,
      'token replication',
    );
    t.like(s, { Enabled: true, Running: true, SourceDatacenter: 'dc1', ReplicationType: 'tokens' }, 'acl_replication_token turned token replication on');
    // The local tokens that token replication allows.
    t.is((await req(s2, 'PUT', '/v1/acl/token', ROOT, { Local: true })).status, 200);
  },
);

test.serial(
  'without token replication the secondary replicates policies only: tokens resolve through the primary, token reads go there, local tokens are refused, and with the primary cut off a cached token lives on (extend-cache)',
  async (t) => {
    const c = new ProcessCluster(t);
    const dc2Acl = {
      primary_datacenter: 'dc1',
      acl: { enabled: true, default_policy: 'deny', down_policy: 'extend-cache', token_ttl: '1s', tokens: { replication: ROOT, agent_recovery: REC2 } },
    };
    const [s1, s2] = await twoDatacenters(c, PRIMARY_ACL, dc2Acl);
    const client = await c.startClient({ join: s2, config: { datacenter: 'dc2', ...dc2Acl } });
    await req(s1, 'PUT', '/v1/acl/policy', ROOT, { Name: 'app', Rules: 'key_prefix "app/" { policy = "write" }' });
    const app = JSON.parse((await req(s1, 'PUT', '/v1/acl/token', ROOT, { Policies: [{ Name: 'app' }] })).text) as { AccessorID: string; SecretID: string };
    // Usable at once: the secondary asks the primary for the token.
    t.is((await req(s2, 'PUT', '/v1/kv/app/x', app.SecretID, 'v')).status, 200);
    t.is((await req(s2, 'PUT', '/v1/kv/other', app.SecretID, 'v')).status, 403);
    // A client agent of dc2 resolves through its server, which asks the primary.
    await until(async () => (await req(client, 'PUT', '/v1/kv/app/from-client', app.SecretID, 'v')).status === 200, 20_000, 'the client agent to accept the token');
    t.is((await req(client, 'PUT', '/v1/kv/other', app.SecretID, 'v')).status, 403);
    // Policies replicate; tokens do not, and token reads are answered by the primary.
    await until(async () => (await req(s2, 'GET', '/v1/acl/policy/name/app', ROOT, undefined)).status === 200, 15_000, 'the policy replicated to dc2');
    const listed = JSON.parse((await req(s2, 'GET', '/v1/acl/tokens', ROOT)).text) as { AccessorID: string }[];
    t.true(
      listed.some((x) => x.AccessorID === app.AccessorID),
      'the token list comes from the primary',
    );
    const st = await until(
      async () => {
        const v = await status(s2);
        return v.ReplicatedIndex > 0 ? v : undefined;
      },
      15_000,
      'policy replication',
    );
    t.like(st, { ReplicationType: 'policies', ReplicatedTokenIndex: 0 });
    const local = await req(s2, 'PUT', '/v1/acl/token', ROOT, { Local: true });
    t.is(local.status, 500);
    t.is(local.text, 'Local tokens are disabled');

    // The primary cut off: a token the secondary asked about before keeps working past token_ttl (extend-cache); one never seen does not.
    await c.kill(s1);
    await new Promise((r) => setTimeout(r, 1500));
    t.is((await req(s2, 'PUT', '/v1/kv/app/after', app.SecretID, 'v')).status, 200, 'extend-cache keeps the cached identity');
    t.is((await req(s2, 'PUT', '/v1/kv/app/after', '7c9e6679-7425-40de-944b-e07fc1f90ae7', 'v')).status, 403);
  },
);

test.serial('replication follows the secondary’s leadership: a new leader of a three-server secondary picks it up', async (t) => {
  const c = new ProcessCluster(t);
  const s1 = await c.startServer({ expect: 1, config: { datacenter: 'dc1', ...FAST_WAN, ...PRIMARY_ACL } });
  await c.waitForLeader([s1], 30_000);
  const dc2 = await c.startServers(3, { config: { datacenter: 'dc2', ...FAST_WAN, retry_join_wan: [`127.0.0.1:${s1.serfWanPort}`], ...SECONDARY_ACL } });
  await until(async () => (await req(s1, 'GET', '/v1/acl/policies', ROOT)).status === 200, 30_000, 'the initial management token in the primary');
  await req(s1, 'PUT', '/v1/acl/policy', ROOT, { Name: 'app', Rules: 'key_prefix "app/" { policy = "write" }' });
  const first = JSON.parse((await req(s1, 'PUT', '/v1/acl/token', ROOT, { Policies: [{ Name: 'app' }] })).text) as { SecretID: string };
  for (const s of dc2) await until(async () => (await req(s, 'PUT', '/v1/kv/app/a', first.SecretID, 'v')).status === 200, 60_000, `the token to work through ${s.name}`);
  const leader = await c.waitForLeader(dc2, 30_000);
  const followers = dc2.filter((s) => s !== leader);
  t.like(await status(followers[0] as Proc), { Running: true, SourceDatacenter: 'dc1' }, 'a follower reports its leader’s replication');

  await c.kill(leader);
  const next = await c.waitForLeader(followers, 60_000);
  const second = JSON.parse((await req(s1, 'PUT', '/v1/acl/token', ROOT, { Policies: [{ Name: 'app' }] })).text) as { SecretID: string };
  await until(async () => (await req(next, 'PUT', '/v1/kv/app/b', second.SecretID, 'v')).status === 200, 60_000, 'a token made after the failover to work in dc2');
  const after = await status(next);
  t.like(after, { Enabled: true, Running: true, ReplicationType: 'tokens' });
  recoveredOrClean(t, after);
});

/**
 * No error, or (on a loaded machine a round can fail while the WAN pool settles) one that a later
 * round got past: as in Consul, the last error stays reported beside the later success.
 */
function recoveredOrClean(t: ExecutionContext, s: Status): void {
  if (s.LastErrorMessage === '') {
    t.is(s.LastError, '0001-01-01T00:00:00Z');
    return;
  }
  t.true(Date.parse(s.LastSuccess) >= Date.parse(s.LastError), `an error after the last success: ${JSON.stringify(s)}`);
}
