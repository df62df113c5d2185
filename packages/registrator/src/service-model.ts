/**
 * Turns one running container into the services registrator would register
 * for it (docs/registrator.md, "Service model"): one per (exposed port, protocol), with its ID,
 * name, address, tags, Meta and check. Pure: everything it needs is passed in.
 */
import type { AgentCheckRegistration } from '@concord/api';
import { buildCheck } from './checks.js';
import type { ContainerInspect, PortBinding } from './docker-types.js';
import { sanitizeMeta } from './meta.js';
import { isIgnoreValue, portMetadata, settingEntries } from './metadata.js';
import { containerIp, ipFromLabel, isWildcard } from './network.js';
import { hostTaskPorts, schedulerTask } from './scheduler.js';
import { combineTags, splitTags } from './tags.js';

export interface ServiceSpec {
  readonly id: string;
  readonly name: string;
  /** May be empty: the agent then uses its node address. */
  readonly address: string;
  readonly port: number;
  readonly tags: readonly string[];
  readonly meta: Readonly<Record<string, string>>;
  readonly check?: AgentCheckRegistration;
  readonly containerId: string;
  readonly containerName: string;
}

export interface ModelContext {
  /** Host identity: first part of every service ID. */
  readonly hostname: string;
  /** Address for ports bound to all interfaces (the `-ip` value or this host's address). */
  readonly hostIp: string;
  /** `-ip`: replaces the address of every published port. */
  readonly forcedIp?: string;
  readonly internal: boolean;
  readonly explicit: boolean;
  readonly useIpFromLabel?: string;
  /** `-tags`, already rendered for this container. */
  readonly extraTags: readonly string[];
  /** IP of the container whose network this one shares (`--net container:<id>`). */
  readonly sharedNetworkIp?: string;
}

export interface ModelResult {
  readonly services: ServiceSpec[];
  /** One line per port or setting left out, and why (logged at debug level). */
  readonly notes: string[];
}

interface Candidate {
  /** The container-side port as text ("80"), or the host port for host-network tasks. */
  readonly exposed: string;
  readonly udp: boolean;
  readonly binding: PortBinding | undefined;
  /** Suffix for the `-<port>` naming rule. */
  readonly suffix: string;
}

export function buildServices(inspect: ContainerInspect, ctx: ModelContext): ModelResult {
  const notes: string[] = [];
  const containerName = inspect.Name.replace(/^\//, '');
  const entries = settingEntries(inspect.Config?.Env ?? [], inspect.Config?.Labels ?? {});
  const mode = inspect.HostConfig?.NetworkMode ?? 'default';
  if (mode === 'none') return { services: [], notes: ['network mode none: nothing is reachable'] };
  const task = schedulerTask(entries);
  let candidates: Candidate[];
  if (task?.kind === 'marathon' && mode === 'host') {
    candidates = hostTaskPorts(entries).map((p) => ({
      exposed: String(p.port),
      udp: false,
      binding: { HostIp: '', HostPort: String(p.port) },
      suffix: p.label,
    }));
  } else {
    candidates = dockerCandidates(inspect);
  }
  if (candidates.length === 0) notes.push('no published ports');
  if (!ctx.internal) {
    candidates = candidates.filter((c) => {
      if (c.binding?.HostPort) return true;
      notes.push(`port ${c.exposed} not published on host`);
      return false;
    });
  }
  const isGroup = candidates.length > 1;
  const services: ServiceSpec[] = [];
  for (const c of candidates) {
    const { values: attrs, fromPort } = portMetadata(entries, c.exposed);
    if (isIgnoreValue(attrs.get('ignore'))) {
      notes.push(`port ${c.exposed} ignored by SERVICE_IGNORE`);
      continue;
    }
    if (ctx.explicit && !attrs.has('name')) {
      notes.push(`port ${c.exposed} has no SERVICE_NAME (-explicit)`);
      continue;
    }
    const suffix = isGroup ? `-${c.suffix}` : '';
    const setName = attrs.get('name');
    const name = setName !== undefined && fromPort.has('name') ? setName : (setName ?? task?.baseName ?? imageBaseName(inspect.Config?.Image ?? '')) + suffix;
    const placed = placement(inspect, c, attrs.get('network'), ctx);
    if (typeof placed === 'string') {
      notes.push(`port ${c.exposed}: ${placed}`);
      continue;
    }
    const baseId = `${ctx.hostname}:${containerName}:${c.exposed}${c.udp ? ':udp' : ''}`;
    const { meta, dropped } = sanitizeMeta([...[...attrs].filter(([k]) => k !== 'id' && k !== 'tags' && k !== 'name' && k !== 'ignore'), ...(task?.meta ?? [])]);
    for (const d of dropped) notes.push(`port ${c.exposed}: Meta ${d}`);
    const check = buildCheck(attrs, { ip: placed.address, port: placed.port, containerId: inspect.Id, exposedPort: c.exposed });
    services.push({
      id: attrs.get('id') ?? baseId,
      name,
      address: placed.address,
      port: placed.port,
      tags: combineTags(splitTags(attrs.get('tags') ?? ''), ctx.extraTags, c.udp ? ['udp'] : []),
      meta,
      ...(check ? { check } : {}),
      containerId: inspect.Id,
      containerName,
    });
  }
  return { services, notes };
}

/**
 * Ports as registrator master sees them: every `ExposedPorts` key with a
 * synthetic binding on the same host port, then overwritten by the real
 * `NetworkSettings.Ports` entry (`null` when exposed but not published).
 * Only the first binding of a port counts. Sorted by port for a stable order.
 */
function dockerCandidates(inspect: ContainerInspect): Candidate[] {
  const bindings = new Map<string, PortBinding | undefined>();
  for (const key of Object.keys(inspect.Config?.ExposedPorts ?? {})) {
    bindings.set(key, { HostIp: '0.0.0.0', HostPort: key.split('/')[0] as string });
  }
  for (const [key, list] of Object.entries(inspect.NetworkSettings?.Ports ?? {})) {
    bindings.set(key, list?.[0]);
  }
  return [...bindings]
    .map(([key, binding]) => {
      const [port = '', proto = 'tcp'] = key.split('/');
      return { exposed: port, udp: proto === 'udp', binding, suffix: port };
    })
    .sort((a, b) => Number(a.exposed) - Number(b.exposed) || Number(a.udp) - Number(b.udp));
}

/** Address and port of one candidate, or the reason it cannot be placed. */
function placement(inspect: ContainerInspect, c: Candidate, network: string | undefined, ctx: ModelContext): { address: string; port: number } | string {
  let address: string;
  let port: number;
  if (ctx.internal) {
    const ip = containerIp(inspect, network);
    if (network !== undefined && ip === undefined) return `container is not attached to network "${network}"`;
    address = ip ?? '';
    port = Number(c.exposed);
  } else {
    // A published port is reached on the host, whatever network the container is on.
    const bound = c.binding?.HostIp;
    address = ctx.forcedIp ?? (isWildcard(bound) ? ctx.hostIp : (bound as string));
    port = Number(c.binding?.HostPort);
  }
  if (ctx.useIpFromLabel) address = ipFromLabel(inspect, ctx.useIpFromLabel) ?? address;
  if (ctx.sharedNetworkIp) address = ctx.sharedNetworkIp;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return `bad port "${c.exposed}"`;
  return { address, port };
}

/** `registry:5000/team/api:1.2` → `api`; `nginx@sha256:…` → `nginx@sha256` (as registrator). */
export function imageBaseName(image: string): string {
  const last = image.split('/').pop() ?? image;
  return last.split(':')[0] as string;
}
