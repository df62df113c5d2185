import type { JSX } from 'preact';
import { Badge, Empty, LiveState, Status } from '../components.js';
import { useLive } from '../live.js';
import { Link, href } from '../router.js';
import type { AutopilotHealth, Member, RaftConfiguration } from '../types.js';

/** Serf's member status codes, as /v1/agent/members reports them. */
const MEMBER_STATUS: Record<number, string> = { 0: 'none', 1: 'alive', 2: 'leaving', 3: 'left', 4: 'failed' };
const MEMBER_HEALTH: Record<string, string> = { alive: 'passing', leaving: 'warning', left: 'warning', failed: 'critical', none: 'warning' };

export function ClusterView(): JSX.Element {
  const raft = useLive<RaftConfiguration>('/v1/operator/raft/configuration');
  const leader = useLive<string>('/v1/status/leader');
  const autopilot = useLive<AutopilotHealth>('/v1/operator/autopilot/health');
  const members = useLive<Member[]>('/v1/agent/members');
  return (
    <section>
      <h1>Cluster</h1>
      <div class="grid">
        <div class="card">
          <h2>Leader</h2>
          <LiveState live={leader}>{(l) => (l ? <code data-leader>{l}</code> : <span class="status status-critical">no leader</span>)}</LiveState>
        </div>
        <div class="card">
          <h2>Autopilot</h2>
          <LiveState live={autopilot}>
            {(a) => (
              <p data-autopilot>
                <Status status={a.Healthy ? 'passing' : 'critical'} label={a.Healthy ? 'healthy' : 'unhealthy'} /> · failure tolerance {a.FailureTolerance}
              </p>
            )}
          </LiveState>
        </div>
      </div>
      <h2>Raft peers</h2>
      <LiveState live={raft}>
        {(r) => {
          const health = new Map((autopilot.data?.Servers ?? []).map((s) => [s.ID, s]));
          return r.Servers.length === 0 ? (
            <Empty>No raft peers.</Empty>
          ) : (
            <table class="list" data-list="raft">
              <thead>
                <tr>
                  <th>Node</th>
                  <th>Address</th>
                  <th>Role</th>
                  <th>Health</th>
                  <th class="wide">Last index · contact</th>
                </tr>
              </thead>
              <tbody>
                {r.Servers.map((s) => {
                  const h = health.get(s.ID);
                  return (
                    <tr key={s.ID} data-peer={s.Node}>
                      <td>
                        <Link href={href.node(s.Node)} data-row>
                          {s.Node}
                        </Link>
                      </td>
                      <td>
                        <code>{s.Address}</code>
                      </td>
                      <td>
                        {s.Leader ? <Badge kind="leader">leader</Badge> : <Badge kind="server">follower</Badge>} {s.Voter ? '' : <Badge kind="muted">non-voter</Badge>}
                      </td>
                      <td>{h ? <Status status={h.Healthy ? 'passing' : 'critical'} label={h.Healthy ? 'healthy' : 'unhealthy'} /> : <span class="muted">—</span>}</td>
                      <td class="wide">{h ? `${h.LastIndex} · ${h.LastContact}` : '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          );
        }}
      </LiveState>
      <h2>Members</h2>
      <LiveState live={members}>
        {(list) => (
          <table class="list" data-list="members">
            <thead>
              <tr>
                <th>Name</th>
                <th>Address</th>
                <th>Status</th>
                <th>Role</th>
                <th class="wide">Datacenter</th>
              </tr>
            </thead>
            <tbody>
              {[...list]
                .sort((a, b) => (a.Name < b.Name ? -1 : 1))
                .map((m) => {
                  const status = MEMBER_STATUS[m.Status] ?? String(m.Status);
                  return (
                    <tr key={m.Name} data-member={m.Name}>
                      <td>
                        <Link href={href.node(m.Name)} data-row>
                          {m.Name}
                        </Link>
                      </td>
                      <td>
                        <code>{`${m.Addr}:${m.Port}`}</code>
                      </td>
                      <td>
                        <Status status={MEMBER_HEALTH[status] ?? 'warning'} label={status} />
                      </td>
                      <td>{m.Tags.role === 'consul' ? 'server' : 'client'}</td>
                      <td class="wide">{m.Tags.dc ?? ''}</td>
                    </tr>
                  );
                })}
            </tbody>
          </table>
        )}
      </LiveState>
    </section>
  );
}
