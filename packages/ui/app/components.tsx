import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { ApiError } from './api.js';

export type Health = 'passing' | 'warning' | 'critical';

/** The worst of a set of check statuses (no checks counts as passing). */
export function worst(statuses: Iterable<string>): Health {
  let out: Health = 'passing';
  for (const s of statuses) {
    if (s === 'critical') return 'critical';
    if (s === 'warning') out = 'warning';
  }
  return out;
}

const SYMBOL: Record<string, string> = { passing: '✓', warning: '!', critical: '✕' };

export function Status(props: { status: string; label?: string }): JSX.Element {
  return (
    <span class={`status status-${props.status}`} title={props.status}>
      <span aria-hidden="true">{SYMBOL[props.status] ?? '?'}</span> {props.label ?? props.status}
    </span>
  );
}

export function Badge(props: { kind: string; children: ComponentChildren }): JSX.Element {
  return <span class={`badge badge-${props.kind}`}>{props.children}</span>;
}

export function Tags(props: { tags: readonly string[] | null | undefined }): JSX.Element | null {
  const tags = props.tags ?? [];
  if (tags.length === 0) return <span class="muted">—</span>;
  return (
    <span class="tags">
      {tags.map((t) => (
        <span class="tag" key={t}>
          {t}
        </span>
      ))}
    </span>
  );
}

export function Meta(props: { meta: Record<string, string> | null | undefined }): JSX.Element {
  const entries = Object.entries(props.meta ?? {});
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <dl class="meta">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** An error from the agent, said plainly, with what the UI does about it. */
export function ErrorState(props: { error: ApiError; stale?: boolean }): JSX.Element {
  const { error } = props;
  const title = error.status === 0 ? 'Agent unreachable' : error.status === 403 ? 'Access denied' : 'The agent reported an error';
  return (
    <div class="error-state" role="alert">
      <strong>{title}</strong>
      <p>{error.message}</p>
      <p class="muted">{props.stale ? 'Showing the last data received; retrying…' : 'Retrying…'}</p>
    </div>
  );
}

export function Empty(props: { children: ComponentChildren }): JSX.Element {
  return <div class="empty">{props.children}</div>;
}

export function Loading(): JSX.Element {
  return (
    <div class="loading" aria-busy="true">
      Loading…
    </div>
  );
}

/** Loading, error and data states of a live read in one place. */
export function LiveState<T>(props: { live: { data: T | undefined; error: ApiError | undefined; loading: boolean }; children: (data: T) => ComponentChildren }): JSX.Element {
  const { data, error, loading } = props.live;
  return (
    <>
      {error && <ErrorState error={error} stale={data !== undefined} />}
      {data === undefined ? loading ? <Loading /> : null : props.children(data)}
    </>
  );
}

export const PAGE_SIZE = 100;

export function Pager(props: { page: number; total: number; onPage: (page: number) => void }): JSX.Element | null {
  const pages = Math.ceil(props.total / PAGE_SIZE);
  if (pages <= 1) return null;
  const { page } = props;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={page <= 0} onClick={() => props.onPage(page - 1)}>
        ← Previous
      </button>
      <span>
        Page {page + 1} of {pages}
      </span>
      <button type="button" disabled={page >= pages - 1} onClick={() => props.onPage(page + 1)}>
        Next →
      </button>
    </nav>
  );
}

/** Shows `items` a page of 100 at a time, so long lists stay quick to render. */
export function Paged<T>(props: { items: T[]; children: (rows: T[]) => ComponentChildren }): JSX.Element {
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(props.items.length / PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  return (
    <>
      {props.children(props.items.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE))}
      <Pager page={current} total={props.items.length} onPage={setPage} />
    </>
  );
}

/** `1 service`, `2 services`. */
export function count(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}
