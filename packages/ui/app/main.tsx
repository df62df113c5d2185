import './style.css';
import { type JSX, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { type AgentInfo, AgentInfoContext } from './agent-info.js';
import { ErrorState } from './components.js';
import { installKeyboard } from './keyboard.js';
import { useOnce } from './live.js';
import { Link, href, parseRoute, useLocation } from './router.js';
import type { AgentSelf } from './types.js';
import { ClusterView } from './views/cluster.js';
import { KvView } from './views/kv.js';
import { NodeView } from './views/node.js';
import { NodesView } from './views/nodes.js';
import { ServiceView } from './views/service.js';
import { ServicesView } from './views/services.js';

const NAV = [
  { view: ['services', 'service'], label: 'Services', to: href.services() },
  { view: ['nodes', 'node'], label: 'Nodes', to: href.nodes() },
  { view: ['kv'], label: 'Key/Value', to: href.kv('') },
  { view: ['cluster'], label: 'Cluster', to: href.cluster() },
];

function Help(props: { onClose: () => void }): JSX.Element {
  return (
    <div class="help card" role="dialog" aria-label="Keyboard shortcuts">
      <h2>Keyboard</h2>
      <dl>
        <dt>/</dt>
        <dd>search</dd>
        <dt>j · k (↓ ↑)</dt>
        <dd>next · previous row; Enter opens it</dd>
        <dt>g s · g n · g k · g c</dt>
        <dd>Services · Nodes · Key/Value · Cluster</dd>
        <dt>?</dt>
        <dd>this help</dd>
      </dl>
      <button type="button" onClick={props.onClose}>
        Close
      </button>
    </div>
  );
}

function App(): JSX.Element {
  const loc = useLocation();
  const route = parseRoute(loc.pathname);
  const self = useOnce<AgentSelf>('/v1/agent/self');
  const [help, setHelp] = useState(false);
  useEffect(() => installKeyboard(() => setHelp((h) => !h)), []);
  useEffect(() => {
    const names: Record<string, string> = { services: 'Services', nodes: 'Nodes', kv: 'Key/Value', cluster: 'Cluster' };
    const detail = route.view === 'service' || route.view === 'node' ? route.name : route.view === 'kv' ? route.path || 'Key/Value' : names[route.view];
    document.title = `${detail ?? 'Not found'} · Concord`;
  }, [loc.pathname]);
  const info: AgentInfo = {
    datacenter: self.data?.Config.Datacenter ?? 'dc1',
    node: self.data?.Config.NodeName ?? '',
    domain: (self.data?.DebugConfig?.DNSDomain ?? 'consul').replace(/\.$/, ''),
  };
  let view: JSX.Element;
  switch (route.view) {
    case 'services':
      view = <ServicesView search={loc.search} />;
      break;
    case 'service':
      view = <ServiceView name={route.name} key={route.name} />;
      break;
    case 'nodes':
      view = <NodesView />;
      break;
    case 'node':
      view = <NodeView name={route.name} key={route.name} />;
      break;
    case 'kv':
      view = <KvView path={route.path} />;
      break;
    case 'cluster':
      view = <ClusterView />;
      break;
    default:
      view = (
        <section>
          <h1>Not found</h1>
          <p>
            There is no page at {loc.pathname}. <Link href={href.services()}>Go to Services</Link>
          </p>
        </section>
      );
  }
  return (
    <AgentInfoContext.Provider value={info}>
      <header class="top">
        <Link href={href.services()} class="brand">
          Concord
        </Link>
        <nav aria-label="Views">
          {NAV.map((n) => (
            <Link key={n.to} href={n.to} aria-current={n.view.includes(route.view) ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <span class="dc" title={`agent ${info.node}`}>
          {self.data ? `${info.datacenter} · ${info.node}` : ''}
        </span>
        <button type="button" class="help-button" aria-label="Keyboard shortcuts" onClick={() => setHelp((h) => !h)}>
          ?
        </button>
      </header>
      <main>
        {self.error && <ErrorState error={self.error} />}
        {help && <Help onClose={() => setHelp(false)} />}
        {view}
      </main>
    </AgentInfoContext.Provider>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
