import type { JSX } from 'preact';
import { useAgentInfo } from '../agent-info.js';
import { Empty, LiveState, Meta, Paged, Status, Tags, count, worst } from '../components.js';
import { useLive } from '../live.js';
import { Link, href } from '../router.js';
import type { Check, HealthEntry } from '../types.js';

export function CheckList(props: { checks: Check[] }): JSX.Element {
  if (props.checks.length === 0) return <span class="muted">No checks</span>;
  return (
    <ul class="checks-list">
      {props.checks.map((c) => (
        <li key={`${c.Node}/${c.CheckID}`} class={`check check-${c.Status}`}>
          <div class="check-head">
            <Status status={c.Status} label={c.Name || c.CheckID} />
            <span class="muted">
              {c.CheckID}
              {c.ServiceID ? '' : ' · node check'}
              {c.Type ? ` · ${c.Type}` : ''}
            </span>
          </div>
          {c.Notes && <div class="muted">{c.Notes}</div>}
          {c.Output ? <pre class="output">{c.Output}</pre> : <div class="muted">No output</div>}
        </li>
      ))}
    </ul>
  );
}

export function ServiceView(props: { name: string }): JSX.Element {
  const { name } = props;
  const info = useAgentInfo();
  const live = useLive<HealthEntry[]>(`/v1/health/service/${encodeURIComponent(name)}`);
  const dns = `${name}.service.${info.domain}`;
  return (
    <section>
      <p class="crumbs">
        <Link href={href.services()}>Services</Link> /
      </p>
      <h1>{name}</h1>
      <div class="dns">
        DNS: <code data-dns>{dns}</code> <span class="muted">or</span> <code>{`${name}.service.${info.datacenter}.${info.domain}`}</code>{' '}
        <span class="muted">(SRV records give ports; prefix a tag to filter: </span>
        <code>{`<tag>.${dns}`}</code>
        <span class="muted">)</span>
      </div>
      <LiveState live={live}>
        {(entries) =>
          entries.length === 0 ? (
            <Empty>No instance of {name} is registered.</Empty>
          ) : (
            <div class="instances">
              <p class="count">{count(entries.length, 'instance')}</p>
              <Paged items={entries}>
                {(page) =>
                  page.map((e) => (
                    <article class="card instance" key={`${e.Node.Node}/${e.Service.ID}`} data-instance={e.Service.ID}>
                      <header>
                        <h2>{e.Service.ID}</h2>
                        <Status status={worst(e.Checks.map((c) => c.Status))} />
                      </header>
                      <dl class="facts">
                        <div>
                          <dt>Node</dt>
                          <dd>
                            <Link href={href.node(e.Node.Node)} data-row>
                              {e.Node.Node}
                            </Link>
                          </dd>
                        </div>
                        <div>
                          <dt>Address</dt>
                          <dd>
                            <code>{`${e.Service.Address || e.Node.Address}:${e.Service.Port}`}</code>
                          </dd>
                        </div>
                        <div>
                          <dt>Tags</dt>
                          <dd>
                            <Tags tags={e.Service.Tags} />
                          </dd>
                        </div>
                        <div>
                          <dt>Meta</dt>
                          <dd>
                            <Meta meta={e.Service.Meta} />
                          </dd>
                        </div>
                      </dl>
                      <h3>Checks</h3>
                      <CheckList checks={e.Checks} />
                    </article>
                  ))
                }
              </Paged>
            </div>
          )
        }
      </LiveState>
    </section>
  );
}
