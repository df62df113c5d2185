import type { JSX } from 'preact';
import { useAgentInfo } from '../agent-info.js';
import { Empty, LiveState, Meta, Status, Tags, worst } from '../components.js';
import { useLive } from '../live.js';
import { Link, href } from '../router.js';
import { rttMs } from '../rtt.js';
import type { Coordinate, NodeInfo, Session } from '../types.js';
import { CheckList } from './service.js';

function Rtt(props: { node: string; coords: Coordinate[] | undefined }): JSX.Element {
  const info = useAgentInfo();
  if (props.node === info.node) return <span>this is the agent serving the UI</span>;
  const coords = props.coords ?? [];
  const mine = coords.find((c) => c.Node === info.node);
  const theirs = coords.find((c) => c.Node === props.node);
  if (!mine || !theirs) return <span class="muted">no network coordinates yet</span>;
  const ms = rttMs(mine.Coord, theirs.Coord);
  return ms === undefined ? <span class="muted">coordinates not comparable</span> : <span data-rtt>{`${ms.toFixed(3)} ms from ${info.node}`}</span>;
}

export function NodeView(props: { name: string }): JSX.Element {
  const { name } = props;
  const live = useLive<NodeInfo | null>(`/v1/internal/ui/node/${encodeURIComponent(name)}`, null);
  const sessions = useLive<Session[]>(`/v1/session/node/${encodeURIComponent(name)}`);
  const coords = useLive<Coordinate[]>('/v1/coordinate/nodes');
  return (
    <section>
      <p class="crumbs">
        <Link href={href.nodes()}>Nodes</Link> /
      </p>
      <h1>{name}</h1>
      <LiveState live={live}>
        {(node) =>
          node === null ? (
            <Empty>There is no node named {name} in the catalog.</Empty>
          ) : (
            <>
              <dl class="facts card">
                <div>
                  <dt>Health</dt>
                  <dd>
                    <Status status={worst(node.Checks.map((c) => c.Status))} />
                  </dd>
                </div>
                <div>
                  <dt>Address</dt>
                  <dd>
                    <code>{node.Address}</code>
                  </dd>
                </div>
                <div>
                  <dt>ID</dt>
                  <dd>
                    <code>{node.ID}</code>
                  </dd>
                </div>
                <div>
                  <dt>Round trip</dt>
                  <dd>
                    <Rtt node={node.Node} coords={coords.data} />
                  </dd>
                </div>
                <div>
                  <dt>Meta</dt>
                  <dd>
                    <Meta meta={node.Meta} />
                  </dd>
                </div>
              </dl>
              <h2>Services ({node.Services.length})</h2>
              {node.Services.length === 0 ? (
                <Empty>No services on this node.</Empty>
              ) : (
                <table class="list" data-list="node-services">
                  <thead>
                    <tr>
                      <th>Service</th>
                      <th>ID</th>
                      <th>Address</th>
                      <th class="wide">Tags</th>
                    </tr>
                  </thead>
                  <tbody>
                    {node.Services.map((s) => (
                      <tr key={s.ID}>
                        <td>
                          <Link href={href.service(s.Service)} data-row>
                            {s.Service}
                          </Link>
                        </td>
                        <td>{s.ID}</td>
                        <td>
                          <code>{`${s.Address || node.Address}:${s.Port}`}</code>
                        </td>
                        <td class="wide">
                          <Tags tags={s.Tags} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <h2>Checks ({node.Checks.length})</h2>
              <CheckList checks={node.Checks} />
              <h2>Sessions</h2>
              <LiveState live={sessions}>
                {(list) =>
                  list.length === 0 ? (
                    <Empty>No sessions on this node.</Empty>
                  ) : (
                    <table class="list" data-list="sessions">
                      <thead>
                        <tr>
                          <th>ID</th>
                          <th>Name</th>
                          <th>Behavior</th>
                          <th>TTL</th>
                          <th class="wide">Checks</th>
                        </tr>
                      </thead>
                      <tbody>
                        {list.map((s) => (
                          <tr key={s.ID} data-session={s.ID}>
                            <td>
                              <code>{s.ID}</code>
                            </td>
                            <td>{s.Name || <span class="muted">—</span>}</td>
                            <td>{s.Behavior}</td>
                            <td>{s.TTL || <span class="muted">none</span>}</td>
                            <td class="wide">
                              <Tags tags={[...(s.NodeChecks ?? []), ...(s.ServiceChecks ?? []).map((c) => c.ID)]} />
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )
                }
              </LiveState>
            </>
          )
        }
      </LiveState>
    </section>
  );
}
