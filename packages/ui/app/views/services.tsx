import type { JSX } from 'preact';
import { useMemo } from 'preact/hooks';
import { Empty, LiveState, PAGE_SIZE, Pager, Status, Tags, count, worst } from '../components.js';
import { useLive } from '../live.js';
import { Link, href, navigate } from '../router.js';
import type { ServiceSummary } from '../types.js';

export function serviceHealth(s: ServiceSummary): string {
  return worst([...(s.ChecksCritical > 0 ? ['critical'] : []), ...(s.ChecksWarning > 0 ? ['warning'] : [])]);
}

interface Filters {
  q: string;
  status: string;
  tag: string;
  page: number;
}

function readFilters(search: string): Filters {
  const p = new URLSearchParams(search);
  return { q: p.get('q') ?? '', status: p.get('status') ?? '', tag: p.get('tag') ?? '', page: Math.max(0, Number(p.get('page') ?? 1) - 1 || 0) };
}

/** Filters live in the URL, so a filtered list can be bookmarked and shared. */
function writeFilters(f: Filters): void {
  const p = new URLSearchParams();
  if (f.q) p.set('q', f.q);
  if (f.status) p.set('status', f.status);
  if (f.tag) p.set('tag', f.tag);
  if (f.page > 0) p.set('page', String(f.page + 1));
  const qs = p.toString();
  navigate(`${href.services()}${qs ? `?${qs}` : ''}`, true);
}

export function ServicesView(props: { search: string }): JSX.Element {
  const live = useLive<ServiceSummary[]>('/v1/internal/ui/services');
  const filters = readFilters(props.search);
  const set = (patch: Partial<Filters>): void => writeFilters({ ...filters, page: 0, ...patch });
  return (
    <section>
      <h1>Services</h1>
      <LiveState live={live}>{(services) => <ServiceList services={services} filters={filters} set={set} />}</LiveState>
    </section>
  );
}

function ServiceList(props: { services: ServiceSummary[]; filters: Filters; set: (f: Partial<Filters>) => void }): JSX.Element {
  const { services, filters, set } = props;
  const allTags = useMemo(() => [...new Set(services.flatMap((s) => s.Tags ?? []))].sort(), [services]);
  const shown = useMemo(() => {
    const q = filters.q.toLowerCase();
    return services.filter(
      (s) =>
        (!q || s.Name.toLowerCase().includes(q) || (s.Tags ?? []).some((t) => t.toLowerCase().includes(q))) &&
        (!filters.status || serviceHealth(s) === filters.status) &&
        (!filters.tag || (s.Tags ?? []).includes(filters.tag)),
    );
  }, [services, filters.q, filters.status, filters.tag]);
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  const page = Math.min(filters.page, pages - 1);
  const rows = shown.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  return (
    <>
      <search class="toolbar">
        <input
          type="search"
          data-search
          placeholder="Search by name or tag  ( / )"
          aria-label="Search services"
          value={filters.q}
          onInput={(e) => set({ q: (e.target as HTMLInputElement).value })}
        />
        <select aria-label="Filter by health" value={filters.status} onChange={(e) => set({ status: (e.target as HTMLSelectElement).value })}>
          <option value="">All health</option>
          <option value="passing">Passing</option>
          <option value="warning">Warning</option>
          <option value="critical">Critical</option>
        </select>
        <select aria-label="Filter by tag" value={filters.tag} onChange={(e) => set({ tag: (e.target as HTMLSelectElement).value })}>
          <option value="">All tags</option>
          {allTags.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <span class="count" data-count>
          {shown.length === services.length ? count(services.length, 'service') : `${shown.length} of ${count(services.length, 'service')}`}
        </span>
      </search>
      {services.length === 0 ? (
        <Empty>No services are registered yet. Register one with PUT /v1/agent/service/register.</Empty>
      ) : shown.length === 0 ? (
        <Empty>No service matches these filters.</Empty>
      ) : (
        <table class="list" data-list="services">
          <thead>
            <tr>
              <th>Service</th>
              <th>Health</th>
              <th class="num">Instances</th>
              <th class="num">Checks</th>
              <th class="wide">Tags</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.Name} data-service={s.Name}>
                <td>
                  <Link href={href.service(s.Name)} data-row>
                    {s.Name}
                  </Link>
                </td>
                <td>
                  <Status status={serviceHealth(s)} />
                </td>
                <td class="num">{s.InstanceCount}</td>
                <td class="num checks">
                  <span class="c-passing" title="passing">
                    {s.ChecksPassing}
                  </span>{' '}
                  <span class="c-warning" title="warning">
                    {s.ChecksWarning}
                  </span>{' '}
                  <span class="c-critical" title="critical">
                    {s.ChecksCritical}
                  </span>
                </td>
                <td class="wide">
                  <Tags tags={s.Tags} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={page} total={shown.length} onPage={(p) => set({ page: p })} />
    </>
  );
}
