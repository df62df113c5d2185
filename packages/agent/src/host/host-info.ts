/**
 * `/v1/agent/host`: the machine the agent runs on, in the shape Consul builds with gopsutil
 * (`Memory`, `CPU`, `Host`, `Disk`, `CollectionTime`, `Errors`), filled from node:os, /proc and
 * statfs. A part that cannot be read is left out and its error listed in `Errors`.
 */
import { readFileSync, statfsSync } from 'node:fs';
import * as os from 'node:os';

export interface HostMemory {
  total: number;
  available: number;
  used: number;
  usedPercent: number;
  free: number;
  active: number;
  inactive: number;
  buffers: number;
  cached: number;
  shared: number;
  slab: number;
  swapTotal: number;
  swapFree: number;
  swapCached: number;
  dirty: number;
  mapped: number;
  commitLimit: number;
  committedAS: number;
  pageTables: number;
  hugePagesTotal: number;
  hugePagesFree: number;
  hugePageSize: number;
}

export interface HostCpu {
  cpu: number;
  vendorId: string;
  family: string;
  model: string;
  stepping: number;
  physicalId: string;
  coreId: string;
  cores: number;
  modelName: string;
  mhz: number;
  cacheSize: number;
  flags: string[];
  microcode: string;
}

export interface HostSystem {
  hostname: string;
  uptime: number;
  bootTime: number;
  procs: number;
  os: string;
  platform: string;
  platformFamily: string;
  platformVersion: string;
  kernelVersion: string;
  kernelArch: string;
  virtualizationSystem: string;
  virtualizationRole: string;
  hostId: string;
}

export interface HostDisk {
  path: string;
  fstype: string;
  total: number;
  free: number;
  used: number;
  usedPercent: number;
  inodesTotal: number;
  inodesUsed: number;
  inodesFree: number;
  inodesUsedPercent: number;
}

export interface HostInfo {
  Memory?: HostMemory;
  CPU?: HostCpu[];
  Host?: HostSystem;
  Disk?: HostDisk;
  /** Unix time of the collection, in nanoseconds. */
  CollectionTime: number;
  /** One entry per part that could not be read (Go marshals an error value as `{}`). */
  Errors: Record<string, string>[];
}

/** Bytes from /proc/meminfo's `kB` figures, by field name. */
function meminfo(): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync('/proc/meminfo', 'utf8').split('\n')) {
    const m = /^([^:]+):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (m) out.set(m[1] as string, Number(m[2]) * (line.endsWith('kB') ? 1024 : 1));
  }
  return out;
}

function percent(part: number, whole: number): number {
  return whole > 0 ? (part / whole) * 100 : 0;
}

function memory(): HostMemory {
  const total = os.totalmem();
  const free = os.freemem();
  let m = new Map<string, number>();
  if (process.platform === 'linux') m = meminfo();
  const get = (k: string) => m.get(k) ?? 0;
  const available = m.get('MemAvailable') ?? free;
  const buffers = get('Buffers');
  const cached = get('Cached') + get('SReclaimable');
  const used = process.platform === 'linux' ? total - get('MemFree') - buffers - cached : total - free;
  return {
    total,
    available,
    used,
    usedPercent: percent(used, total),
    free: m.get('MemFree') ?? free,
    active: get('Active'),
    inactive: get('Inactive'),
    buffers,
    cached,
    shared: get('Shmem'),
    slab: get('Slab'),
    swapTotal: get('SwapTotal'),
    swapFree: get('SwapFree'),
    swapCached: get('SwapCached'),
    dirty: get('Dirty'),
    mapped: get('Mapped'),
    commitLimit: get('CommitLimit'),
    committedAS: get('Committed_AS'),
    pageTables: get('PageTables'),
    hugePagesTotal: m.get('HugePages_Total') ?? 0,
    hugePagesFree: m.get('HugePages_Free') ?? 0,
    hugePageSize: get('Hugepagesize'),
  };
}

/** /proc/cpuinfo's blocks, one per logical CPU (empty elsewhere). */
function cpuinfoBlocks(): Map<string, string>[] {
  if (process.platform !== 'linux') return [];
  return readFileSync('/proc/cpuinfo', 'utf8')
    .split(/\n\s*\n/)
    .filter((b) => b.trim() !== '')
    .map(
      (b) =>
        new Map(
          b.split('\n').map((l) => {
            const at = l.indexOf(':');
            return [l.slice(0, at).trim(), l.slice(at + 1).trim()] as [string, string];
          }),
        ),
    );
}

function cpus(): HostCpu[] {
  const blocks = cpuinfoBlocks();
  return os.cpus().map((c, i) => {
    const b = blocks[i] ?? new Map<string, string>();
    return {
      cpu: i,
      vendorId: b.get('vendor_id') ?? '',
      family: b.get('cpu family') ?? '',
      model: b.get('model') ?? '',
      stepping: Number(b.get('stepping') ?? 0) || 0,
      physicalId: b.get('physical id') ?? '',
      coreId: b.get('core id') ?? '',
      cores: Number(b.get('cpu cores') ?? 1) || 1,
      modelName: b.get('model name') ?? c.model,
      mhz: Number(b.get('cpu MHz') ?? c.speed) || c.speed,
      cacheSize: Number.parseInt(b.get('cache size') ?? '0', 10) || 0,
      flags: (b.get('flags') ?? '').split(' ').filter((f) => f !== ''),
      microcode: b.get('microcode') ?? '',
    };
  });
}

/** `ID` and `VERSION_ID` of /etc/os-release. */
function osRelease(): { id: string; version: string; like: string } {
  try {
    const fields = new Map(
      readFileSync('/etc/os-release', 'utf8')
        .split('\n')
        .map((l) => /^(\w+)=(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1] as string, (m[2] as string).replace(/^"|"$/g, '')]),
    );
    return { id: fields.get('ID') ?? '', version: fields.get('VERSION_ID') ?? '', like: fields.get('ID_LIKE') ?? fields.get('ID') ?? '' };
  } catch {
    return { id: '', version: '', like: '' };
  }
}

function readTrimmed(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function processCount(): number {
  try {
    const m = /^procs_running\s+(\d+)/m.exec(readFileSync('/proc/stat', 'utf8'));
    const loadavg = readTrimmed('/proc/loadavg').split(' ')[3] ?? '';
    const total = Number(loadavg.split('/')[1]);
    return Number.isFinite(total) && total > 0 ? total : Number(m?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function system(): HostSystem {
  const uptime = Math.floor(os.uptime());
  const rel = osRelease();
  return {
    hostname: os.hostname(),
    uptime,
    bootTime: Math.floor(Date.now() / 1000) - uptime,
    procs: processCount(),
    os: process.platform,
    platform: rel.id,
    platformFamily: rel.like.split(' ')[0] ?? '',
    platformVersion: rel.version,
    kernelVersion: os.release(),
    kernelArch: os.machine(),
    virtualizationSystem: '',
    virtualizationRole: '',
    hostId: readTrimmed('/etc/machine-id') || readTrimmed('/sys/class/dmi/id/product_uuid'),
  };
}

/** The filesystem type of the mount holding `path`, from /proc/mounts (longest mount point wins). */
function fsType(path: string): string {
  let best = '';
  let type = '';
  for (const line of readTrimmed('/proc/mounts').split('\n')) {
    const [, mount, t] = line.split(' ');
    if (mount && t && (path === mount || path.startsWith(mount.endsWith('/') ? mount : `${mount}/`)) && mount.length >= best.length) {
      best = mount;
      type = t;
    }
  }
  return type;
}

function disk(path: string): HostDisk {
  const s = statfsSync(path);
  const total = s.blocks * s.bsize;
  const free = s.bavail * s.bsize;
  const used = (s.blocks - s.bfree) * s.bsize;
  const inodesUsed = s.files - s.ffree;
  return {
    path,
    fstype: fsType(path),
    total,
    free,
    used,
    // gopsutil divides by what an unprivileged user can reach: used + available.
    usedPercent: percent(used, used + free),
    inodesTotal: s.files,
    inodesUsed,
    inodesFree: s.ffree,
    inodesUsedPercent: percent(inodesUsed, s.files),
  };
}

/** Collects everything; `diskPath` is the filesystem reported under `Disk` (Consul uses `/`). */
export function collectHostInfo(diskPath = '/'): HostInfo {
  const info: HostInfo = { CollectionTime: Date.now() * 1_000_000, Errors: [] };
  const parts: [keyof HostInfo, () => unknown][] = [
    ['Memory', memory],
    ['CPU', cpus],
    ['Host', system],
    ['Disk', () => disk(diskPath)],
  ];
  for (const [name, collect] of parts) {
    try {
      (info as unknown as Record<string, unknown>)[name] = collect();
    } catch (err) {
      info.Errors.push({ [name]: (err as Error).message });
    }
  }
  return info;
}
