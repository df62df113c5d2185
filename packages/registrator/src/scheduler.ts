/**
 * Containers started by a scheduler through Mesos: Marathon apps carry
 * `MARATHON_APP_ID` (`/shop/web`), Chronos jobs `CHRONOS_JOB_NAME`, and Mesos
 * labels each task with `MESOS_TASK_ID`. They are named the mesos-dns way
 * (path reversed, joined with `-`: `web-shop`); host-network Marathon tasks
 * publish nothing to Docker, so their ports come from `PORT0..PORTn`.
 */
import { containerSetting } from './metadata.js';

export interface SchedulerTask {
  readonly kind: 'marathon' | 'chronos';
  /** Default service name, DNS-safe. */
  readonly baseName: string;
  /** Meta entries describing the task. */
  readonly meta: ReadonlyArray<readonly [string, string]>;
}

export interface HostTaskPort {
  readonly port: number;
  /** Port name (`PORT_<NAME>`) in lower case, else its index. */
  readonly label: string;
}

type Entries = ReadonlyArray<readonly [string, string]>;

export function schedulerTask(entries: Entries): SchedulerTask | undefined {
  const taskId = containerSetting(entries, 'MESOS_TASK_ID');
  const taskMeta: Array<[string, string]> = taskId ? [['mesos_task_id', taskId]] : [];
  const appId = containerSetting(entries, 'MARATHON_APP_ID');
  if (appId) {
    const version = containerSetting(entries, 'MARATHON_APP_VERSION');
    return {
      kind: 'marathon',
      baseName: marathonServiceName(appId),
      meta: [['marathon_app_id', appId], ...(version ? [['marathon_app_version', version] as [string, string]] : []), ...taskMeta],
    };
  }
  const job = containerSetting(entries, 'CHRONOS_JOB_NAME');
  if (job) return { kind: 'chronos', baseName: dnsLabel(job), meta: [['chronos_job_name', job], ...taskMeta] };
  return undefined;
}

/** `/shop/web` → `web-shop` (mesos-dns naming, never dotted: DNS would read a dot as a tag). */
export function marathonServiceName(appId: string): string {
  const segments = appId.split('/').filter((s) => s !== '');
  return dnsLabel(segments.reverse().join('-'));
}

/** Lower case, runs of characters outside `[a-z0-9-]` replaced by `-`, no leading or trailing `-`. */
export function dnsLabel(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The host ports Marathon assigned to a host-network task, in index order. */
export function hostTaskPorts(entries: Entries): HostTaskPort[] {
  const ports: number[] = [];
  for (let i = 0; ; i++) {
    const v = containerSetting(entries, `PORT${i}`);
    if (v === undefined) break;
    ports.push(Number(v));
  }
  if (ports.length === 0) {
    const list = containerSetting(entries, 'PORTS') ?? containerSetting(entries, 'PORT');
    if (list) ports.push(...list.split(',').map((p) => Number(p.trim())));
  }
  const names = new Map<number, string>();
  for (const [k, v] of entries) {
    const m = /^PORT_([A-Za-z_][A-Za-z0-9_]*)$/.exec(k);
    if (m && !names.has(Number(v))) names.set(Number(v), dnsLabel(m[1] as string));
  }
  return ports.filter((p) => Number.isInteger(p) && p > 0 && p < 65536).map((port, i) => ({ port, label: names.get(port) || String(i) }));
}
