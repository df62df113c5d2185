/**
 * The Docker calls the sidecar makes, over dockerode. Requests get a timeout;
 * the event stream uses a second client without one (docker-modem's timeout is
 * an idle timeout and would cut a quiet stream).
 */
import Docker from 'dockerode';
import { RegistratorConfigError } from './errors.js';
import type { ContainerInspect } from './docker-types.js';

export interface ContainerSummary {
  readonly Id: string;
  readonly Names?: readonly string[];
  readonly State?: string;
}

export interface EventsQuery {
  /** Unix seconds: replay events from then on. */
  readonly since?: number;
  readonly filters: Readonly<Record<string, readonly string[]>>;
}

export interface DockerClient {
  /** Docker's own name for this host (`docker info` Name). */
  hostName(): Promise<string>;
  listContainers(options: { all?: boolean; filters?: Readonly<Record<string, readonly string[]>> }): Promise<ContainerSummary[]>;
  /** `undefined` when the container no longer exists. */
  inspect(id: string): Promise<ContainerInspect | undefined>;
  events(query: EventsQuery): Promise<NodeJS.ReadableStream>;
}

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Connection options from `-docker` (`/path/docker.sock`, `unix:///path`,
 * `tcp://host:port`, `http(s)://host:port`); without it dockerode reads
 * `DOCKER_HOST`, `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`, else uses
 * `/var/run/docker.sock`.
 */
export function dockerOptions(target: string | undefined): Docker.DockerOptions {
  if (target === undefined || target === '') return {};
  if (target.startsWith('/')) return { socketPath: target };
  const m = /^(unix|tcp|http|https):\/\/(.+)$/.exec(target);
  if (!m) throw new RegistratorConfigError(`bad Docker address "${target}": use a socket path, unix://, tcp:// or https://`);
  const [, scheme, rest] = m as unknown as [string, string, string];
  if (scheme === 'unix') return { socketPath: rest.startsWith('/') ? rest : `/${rest}` };
  const hp = /^\[?([^\]]+?)\]?:(\d+)$/.exec(rest.replace(/\/+$/, ''));
  if (!hp) throw new RegistratorConfigError(`bad Docker address "${target}": a port is needed`);
  return { host: hp[1] as string, port: Number(hp[2]), protocol: scheme === 'https' ? 'https' : 'http' };
}

export function dockerClient(target?: string): DockerClient {
  const base = dockerOptions(target);
  const requests = new Docker({ ...base, timeout: REQUEST_TIMEOUT_MS });
  const stream = new Docker(base);
  return {
    async hostName() {
      const info = (await requests.info()) as { Name?: string };
      return info.Name ?? '';
    },
    async listContainers(options) {
      return (await requests.listContainers(options as Docker.ContainerListOptions)) as ContainerSummary[];
    },
    async inspect(id) {
      try {
        return (await requests.getContainer(id).inspect()) as unknown as ContainerInspect;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw err;
      }
    },
    events(query) {
      return stream.getEvents({
        ...(query.since !== undefined ? { since: query.since } : {}),
        filters: query.filters as Docker.GetEventsOptions['filters'],
      });
    },
  };
}
