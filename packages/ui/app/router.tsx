import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** Where the UI lives on the agent. */
export const BASE = '/ui/';

export type Route =
  | { view: 'services' }
  | { view: 'service'; name: string }
  | { view: 'nodes' }
  | { view: 'node'; name: string }
  | { view: 'kv'; path: string }
  | { view: 'cluster' }
  | { view: 'missing' };

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The view a location path names (`/ui/services/web`, `/ui/kv/app/config`, ...). */
export function parseRoute(pathname: string): Route {
  if (!pathname.startsWith(BASE)) return { view: 'missing' };
  const rest = pathname.slice(BASE.length);
  const slash = rest.indexOf('/');
  const head = slash === -1 ? rest : rest.slice(0, slash);
  const tail = slash === -1 ? '' : rest.slice(slash + 1);
  switch (head) {
    case '':
      return { view: 'services' };
    case 'services':
      return tail ? { view: 'service', name: decode(tail.replace(/\/$/, '')) } : { view: 'services' };
    case 'nodes':
      return tail ? { view: 'node', name: decode(tail.replace(/\/$/, '')) } : { view: 'nodes' };
    case 'kv':
      return { view: 'kv', path: tail.split('/').map(decode).join('/') };
    case 'cluster':
      return { view: 'cluster' };
    default:
      return { view: 'missing' };
  }
}

/** The location path of a view, each name escaped. */
export const href = {
  services: (): string => `${BASE}services`,
  service: (name: string): string => `${BASE}services/${encodeURIComponent(name)}`,
  nodes: (): string => `${BASE}nodes`,
  node: (name: string): string => `${BASE}nodes/${encodeURIComponent(name)}`,
  kv: (path: string): string => `${BASE}kv/${path.split('/').map(encodeURIComponent).join('/')}`,
  cluster: (): string => `${BASE}cluster`,
};

const listeners = new Set<() => void>();

/** Goes to another view, as a new history entry (or replacing the current one). */
export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const l of listeners) l();
}

/** The current location, re-rendering on navigation and on back/forward. */
export function useLocation(): { pathname: string; search: string } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const update = (): void => setTick((n) => n + 1);
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return { pathname: location.pathname, search: location.search };
}

/** An in-app link: a real `<a href>` (so it can be opened in a new tab) that navigates without reloading. */
export function Link(props: { href: string; children: ComponentChildren } & Omit<JSX.HTMLAttributes<HTMLAnchorElement>, 'href'>): JSX.Element {
  const { href: to, children, ...rest } = props;
  const onClick = (e: MouseEvent): void => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a {...rest} href={to} onClick={onClick}>
      {children}
    </a>
  );
}
