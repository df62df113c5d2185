/** Builds container-inspect objects shaped like Docker's, for model tests. */
import type { ContainerInspect, PortBinding } from '../src/docker-types.js';
import type { ModelContext } from '../src/service-model.js';

export interface FakeContainer {
  name: string;
  image?: string;
  env?: Record<string, string>;
  labels?: Record<string, string>;
  /** `"80/tcp": "8080"` publishes on 0.0.0.0; `null` exposes only. */
  ports?: Record<string, string | null | PortBinding>;
  exposed?: string[];
  networkMode?: string;
  networks?: Record<string, string>;
  running?: boolean;
  exitCode?: number;
}

export function inspectOf(c: FakeContainer): ContainerInspect {
  const ports: Record<string, PortBinding[] | null> = {};
  for (const [key, v] of Object.entries(c.ports ?? {})) {
    ports[key] = v === null ? null : typeof v === 'string' ? [{ HostIp: '0.0.0.0', HostPort: v }] : [v];
  }
  const exposed: Record<string, object> = {};
  for (const key of [...Object.keys(c.ports ?? {}), ...(c.exposed ?? [])]) exposed[key] = {};
  const networks: Record<string, { IPAddress: string }> = {};
  for (const [n, ip] of Object.entries(c.networks ?? { bridge: '172.17.0.5' })) networks[n] = { IPAddress: ip };
  return {
    Id: `${c.name.replace(/[^a-z0-9]/gi, '').padEnd(12, '0')}${'f'.repeat(52)}`,
    Name: `/${c.name}`,
    State: { Running: c.running ?? true, ExitCode: c.exitCode ?? 0, Status: c.running === false ? 'exited' : 'running' },
    Config: {
      Image: c.image ?? 'nginx',
      Env: Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v}`),
      Labels: c.labels ?? {},
      ExposedPorts: exposed,
    },
    HostConfig: { NetworkMode: c.networkMode ?? 'default' },
    NetworkSettings: { Ports: c.networkMode === 'host' ? {} : ports, Networks: networks },
  };
}

export const NODE7: ModelContext = {
  hostname: 'node7',
  hostIp: '10.0.0.7',
  forcedIp: '10.0.0.7',
  internal: false,
  explicit: false,
  extraTags: [],
};
