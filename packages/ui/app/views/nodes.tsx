import type { JSX } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { Badge, Empty, LiveState, Paged, Status, count, worst } from '../components.js';
import { useLive } from '../live.js';
import { Link, href } from '../router.js';
import type { NodeInfo, RaftConfiguration } from '../types.js';

export function NodesView(): JSX.Element {
  const live = useLive<NodeInfo[]>('/v1/internal/ui/nodes');
  const raft = useLive<RaftConfiguration>('/v1/operator/raft/configuration');
  const [q, setQ] = useState('');
  return (
    <section>
      <h1>Nodes</h1>
      <LiveState live={live}>{(nodes) => <NodeTable nodes={nodes} raft={raft.data} q={q} setQ={setQ} />}</LiveState>
    </section>
  );
}

function NodeTable(props: { nodes: NodeInfo[]; raft: RaftConfiguration | undefined; q: string; setQ: (q: string) => void }): JSX.Element {
  const { nodes, raft, q } = props;
  const servers = useMemo(() => new Map((raft?.Servers ?? []).map((s) => [s.Node, s])), [raft]);
  const shown = useMemo(() => nodes.filter((n) => !q || n.Node.toLowerCase().includes(q.toLowerCase()) || n.Address.includes(q)), [nodes, q]);
  return (
    <>
      <search class="toolbar">
        <input
          type="search"
          data-search
          placeholder="Search by name or address  ( / )"
          aria-label="Search nodes"
          value={q}
          onInput={(e) => props.setQ((e.target as HTMLInputElement).value)}
        />
        <span class="count">{count(nodes.length, 'node')}</span>
      </search>
      {nodes.length === 0 ? (
        <Empty>No nodes are registered.</Empty>
      ) : (
        <Paged items={shown}>
          {(rows) => (
            <table class="list" data-list="nodes">
              <thead>
                <tr>
                  <th>Node</th>
                  <th>Health</th>
                  <th>Address</th>
                  <th class="num">Services</th>
                  <th>Role</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((n) => {
                  const server = servers.get(n.Node);
                  return (
                    <tr key={n.Node} data-node={n.Node}>
                      <td>
                        <Link href={href.node(n.Node)} data-row>
                          {n.Node}
                        </Link>
                      </td>
                      <td>
                        <Status status={worst(n.Checks.map((c) => c.Status))} />
                      </td>
                      <td>
                        <code>{n.Address}</code>
                      </td>
                      <td class="num">{n.Services.length}</td>
                      <td>
                        {server?.Leader && <Badge kind="leader">leader</Badge>} {server && <Badge kind="server">server</Badge>}
                        {!server && <span class="muted">client</span>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </Paged>
      )}
    </>
  );
}
