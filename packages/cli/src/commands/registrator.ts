/**
 * `concord registrator [options] <registry-uri>`: the Docker sidecar, with
 * gliderlabs/registrator's command line (options before the URI).
 */
import type { LogLevel, Registrator, RegistratorOptions } from '@concord/registrator';
import type { Command } from '../command.js';
import { type FlagReader, parseCommandLine } from '../flags.js';
import type { Io } from '../io.js';

const FLAGS = {
  ip: { kind: 'string' },
  internal: { kind: 'boolean' },
  explicit: { kind: 'boolean' },
  useIpFromLabel: { kind: 'string' },
  tags: { kind: 'string' },
  ttl: { kind: 'number' },
  'ttl-refresh': { kind: 'number' },
  resync: { kind: 'number' },
  'retry-attempts': { kind: 'number' },
  'retry-interval': { kind: 'number' },
  deregister: { kind: 'string' },
  cleanup: { kind: 'boolean' },
  hostname: { kind: 'string' },
  docker: { kind: 'string' },
  'require-label': { kind: 'string' },
  'metrics-port': { kind: 'number' },
  'log-level': { kind: 'string' },
  'log-json': { kind: 'boolean' },
} as const;

const USAGE = `Usage: concord registrator [options] <registry-uri>

  Watches the Docker daemon and registers the published ports of the
  containers running on this host with the agent at <registry-uri>, and
  deregisters them when the containers stop. Options must come before the URI.

      $ concord registrator -ip 10.0.0.7 consul://127.0.0.1:8500
      $ concord registrator -internal -cleanup -resync 60 consul://
      $ concord registrator consulkv://127.0.0.1:8500/services

Registry URIs

  consul://<host:port>            Agent service registrations (default 127.0.0.1:8500,
                                  or CONSUL_HTTP_ADDR when the host is empty).
  consulkv://<host:port>/<prefix> KV entries <prefix>/<name>/<id> = "<ip>:<port>".

Options

  -ip=<addr>              Address to register for published ports.
  -internal               Register the container IP and exposed port instead.
  -explicit               Only register ports that have a SERVICE_[<port>_]NAME.
  -useIpFromLabel=<label> Take the IP from this container label.
  -tags=<list>            Tags for every service (comma list; a Go-style template
                          over the container's inspect data, e.g. {{.Config.Hostname}}).
  -ttl=<sec>              Add a TTL check owned by the registrator to every service;
                          it goes critical and the service is removed when it is not
                          refreshed (the host or the registrator died).
  -ttl-refresh=<sec>      How often that check is refreshed (less than -ttl).
  -resync=<sec>           Full reconciliation with Docker and the registry every
                          <sec> seconds (0: only at start and after reconnects).
  -retry-attempts=<n>     Extra start-up attempts to reach the registry (-1: forever).
  -retry-interval=<ms>    Pause between those attempts and between retries of
                          failed writes. Default 2000.
  -deregister=<mode>      always (default) or on-success: keep the services of a
                          container that exited with an error code.
  -cleanup                Remove services this registrator registered earlier
                          whose containers no longer run.
  -hostname=<name>        Host identity in service IDs (default: Docker's host name).
  -docker=<addr>          Docker daemon: socket path, unix://, tcp:// or https://
                          (default DOCKER_HOST, else /var/run/docker.sock).
  -require-label=<k[=v]>  Only containers with this label.
  -metrics-port=<port>    Serve Prometheus metrics on this port (/metrics).
  -log-level=<level>      trace, debug, info (default), warn or error.
  -log-json               Log JSON lines instead of text.`;

export const registrator: Command = {
  synopsis: 'Registers Docker containers with the agent',
  help: () => USAGE,
  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io, {
      min: 1,
      max: 1,
      missing: 'Missing required argument for registry URI',
      tooMany: (given) => `Extra unparsed arguments: ${given.slice(1).join(' ')}\nOptions should come before the registry URI argument.`,
    });
    if (!line) return 2;
    // Loaded here, not at the top: dockerode is heavy, and `concord` lists this command.
    const sidecarModule = await import('@concord/registrator');
    const { LOG_LEVELS, Registrator, RegistratorConfigError, RegistratorStartError, createLogger, serveMetrics } = sidecarModule;
    let options: RegistratorOptions;
    try {
      options = optionsFrom(line.flags, line.args[0] as string, io.env, sidecarModule);
    } catch (err) {
      if (err instanceof RegistratorConfigError) {
        io.err(err.message);
        return 1;
      }
      throw err;
    }
    const level = line.flags.string('log-level', 'info').toLowerCase();
    if (!LOG_LEVELS.includes(level as LogLevel)) {
      io.err(`-log-level must be one of ${LOG_LEVELS.join(', ')}`);
      return 1;
    }
    const metricsPort = line.flags.number('metrics-port', -1);
    if (line.flags.has('metrics-port') && (metricsPort < 0 || metricsPort > 65535)) {
      io.err('-metrics-port must be a port number');
      return 1;
    }
    const logger = createLogger(level as LogLevel, line.flags.bool('log-json'));
    let sidecar: Registrator;
    try {
      const docker = line.flags.string('docker');
      sidecar = await Registrator.start(options, { logger, ...(docker ? { dockerAddress: docker } : {}) });
    } catch (err) {
      if (err instanceof RegistratorConfigError || err instanceof RegistratorStartError) {
        io.err(err.message);
        return 1;
      }
      throw err;
    }
    const metrics = line.flags.has('metrics-port') ? await serveMetrics(sidecar.metrics.registry, metricsPort) : undefined;
    if (metrics) logger.info({ port: metrics.port }, 'serving metrics');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await sidecar.stop();
    await metrics?.close();
    return 0;
  },
};

function optionsFrom(f: FlagReader, uri: string, env: NodeJS.ProcessEnv, { RegistratorConfigError, parseRegistryUri }: typeof import('@concord/registrator')): RegistratorOptions {
  const deregister = f.string('deregister', 'always');
  if (deregister !== 'always' && deregister !== 'on-success') {
    throw new RegistratorConfigError(`-deregister must be "always" or "on-success", got "${deregister}"`);
  }
  const optional = (name: string): string | undefined => (f.has(name) ? f.string(name) : undefined);
  const ip = optional('ip');
  const useIpFromLabel = optional('useIpFromLabel');
  const tags = optional('tags');
  const hostname = optional('hostname');
  const requireLabel = optional('require-label');
  return {
    registry: parseRegistryUri(uri, env),
    internal: f.bool('internal'),
    explicit: f.bool('explicit'),
    cleanup: f.bool('cleanup'),
    ttl: f.number('ttl'),
    ttlRefresh: f.number('ttl-refresh'),
    resync: f.number('resync'),
    retryAttempts: f.number('retry-attempts'),
    retryInterval: f.number('retry-interval', 2000),
    deregister,
    ...(ip ? { ip } : {}),
    ...(useIpFromLabel ? { useIpFromLabel } : {}),
    ...(tags ? { tags } : {}),
    ...(hostname ? { hostname } : {}),
    ...(requireLabel !== undefined ? { requireLabel } : {}),
  };
}
