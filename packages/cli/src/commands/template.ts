/**
 * `concord template`: consul-template's command line (same flags, config
 * files and template language), rendering templates from the agent's data.
 */
import { type ApiTlsOptions, ConsulApi, addressFromEnv, tokenFromEnv } from '@concord/api';
import type { RawConfig, RawSsl, RawTemplate } from '@concord/template';
import type { Command } from '../command.js';
import { type FlagReader, parseCommandLine } from '../flags.js';
import type { Io } from '../io.js';

const FLAGS = {
  'consul-addr': { kind: 'string', aliases: ['consul'] },
  'consul-token': { kind: 'string', aliases: ['token'] },
  'consul-ssl': { kind: 'boolean', aliases: ['ssl'] },
  'consul-ssl-verify': { kind: 'boolean', aliases: ['ssl-verify'] },
  'consul-ssl-ca-cert': { kind: 'string', aliases: ['ssl-ca-cert'] },
  'consul-ssl-ca-path': { kind: 'string' },
  'consul-ssl-cert': { kind: 'string', aliases: ['ssl-cert'] },
  'consul-ssl-key': { kind: 'string' },
  'consul-ssl-server-name': { kind: 'string' },
  'consul-retry-attempts': { kind: 'number', aliases: ['retry-attempts'] },
  'consul-retry-backoff': { kind: 'string' },
  'consul-retry-max-backoff': { kind: 'string' },
  template: { kind: 'list' },
  config: { kind: 'list' },
  once: { kind: 'boolean' },
  dry: { kind: 'boolean' },
  wait: { kind: 'string' },
  'max-stale': { kind: 'string' },
  'log-level': { kind: 'string' },
  'pid-file': { kind: 'string' },
  'kill-signal': { kind: 'string' },
  'reload-signal': { kind: 'string' },
  exec: { kind: 'string' },
  'exec-reload-signal': { kind: 'string' },
  'exec-kill-signal': { kind: 'string' },
  'exec-kill-timeout': { kind: 'string' },
} as const;

const USAGE = `Usage: concord template [options]

  Watches the agent's catalog, health and KV data and renders templates
  (Go text/template, consul-template's language and functions) to files,
  running a command after a file changed. Compatible with consul-template's
  command line and configuration files.

      $ concord template -template "nginx.ctmpl:/etc/nginx/conf.d/app.conf:nginx -s reload"
      $ concord template -once -template "in.tpl:out.txt"
      $ concord template -config /etc/concord-template.d/

Options

  -consul-addr=<address>    Agent address (default CONCORD_HTTP_ADDR, then
                            CONSUL_HTTP_ADDR, then 127.0.0.1:8500).
  -consul-token=<token>     ACL token (default CONCORD_HTTP_TOKEN or CONSUL_HTTP_TOKEN).
  -consul-ssl               Use HTTPS to reach the agent.
  -consul-ssl-ca-cert=<f>   CA file to check the agent's certificate (default CONSUL_CACERT).
  -consul-ssl-ca-path=<d>   Directory of CA files (default CONSUL_CAPATH).
  -consul-ssl-cert=<f>      Client certificate, for agents that verify incoming HTTPS
                            (default CONSUL_CLIENT_CERT); -consul-ssl-key=<f> its key.
  -consul-ssl-server-name=<name>  Name to check the agent's certificate against.
  -consul-ssl-verify=false  Do not check the agent's certificate.
  -consul-retry-attempts=<n>  Failed queries in a row before giving up (0: never; default 12).
  -consul-retry-backoff=<d>   First retry delay, doubling each time (default 250ms).
  -consul-retry-max-backoff=<d>  Longest retry delay (default 1m).
  -template="src:dest[:command]"  A template to render (repeatable).
  -config=<path>            HCL or JSON config file, or a directory of them (repeatable).
  -once                     Render every template once, then exit.
  -dry                      Print the rendered templates instead of writing them.
  -wait=<min[:max]>         Quiescence: wait until the data has been quiet for
                            min (at most max) before rendering.
  -max-stale=<duration>     Allow stale reads from any server (default 2s; 0: leader only).
  -log-level=<level>        trace, debug, info, warn (default) or err.
  -pid-file=<path>          Write the process ID to this file while running.
  -kill-signal=<signal>     Signal that stops the process cleanly (default SIGINT;
                            SIGTERM always does too).
  -reload-signal=<signal>   Signal that reloads the configuration (default SIGHUP).
  -exec=<command>           Supervise this child process: started after every
                            template rendered, reloaded or restarted on changes.
  -exec-reload-signal=<s>   Signal the child gets when templates change (default:
                            restart it).
  -exec-kill-signal=<s>     Signal that stops the child (default SIGTERM).
  -exec-kill-timeout=<d>    Wait this long before SIGKILL (default 30s).`;

function optional(f: FlagReader, name: string): string | undefined {
  return f.has(name) ? f.string(name) : undefined;
}

/** The -consul-ssl-* flags as the keys of consul-template's `consul { ssl { ... } }` block. */
function sslLayer(f: FlagReader): RawSsl | undefined {
  const ssl: RawSsl = {};
  if (f.has('consul-ssl')) ssl.enabled = f.bool('consul-ssl');
  if (f.has('consul-ssl-verify')) ssl.verify = f.bool('consul-ssl-verify');
  const strings: [string, 'ca_cert' | 'ca_path' | 'cert' | 'key' | 'server_name'][] = [
    ['consul-ssl-ca-cert', 'ca_cert'],
    ['consul-ssl-ca-path', 'ca_path'],
    ['consul-ssl-cert', 'cert'],
    ['consul-ssl-key', 'key'],
    ['consul-ssl-server-name', 'server_name'],
  ];
  for (const [flag, key] of strings) if (f.has(flag)) ssl[key] = f.string(flag);
  return Object.keys(ssl).length > 0 ? ssl : undefined;
}

/** The API client's TLS options from the merged `ssl` block (over CONSUL_CACERT, ...). */
function apiTls(ssl: RawSsl | undefined): ApiTlsOptions {
  return {
    ...(ssl?.ca_cert ? { caFile: ssl.ca_cert } : {}),
    ...(ssl?.ca_path ? { caPath: ssl.ca_path } : {}),
    ...(ssl?.cert ? { certFile: ssl.cert } : {}),
    ...(ssl?.key ? { keyFile: ssl.key } : {}),
    ...(ssl?.server_name ? { serverName: ssl.server_name } : {}),
    ...(ssl?.verify === false ? { insecureSkipVerify: true } : {}),
  };
}

/** `host:port` with https:// when the ssl block is enabled (an explicit scheme is kept). */
function agentAddress(address: string, ssl: RawSsl | undefined): string {
  return ssl?.enabled && !/^https?:\/\//.test(address) ? `https://${address}` : address;
}

/** The command-line layer of the configuration (it overrides config files). */
function flagLayer(f: FlagReader, env: NodeJS.ProcessEnv, parseTemplateFlag: (s: string) => Partial<RawTemplate>): RawConfig {
  const consul: NonNullable<Exclude<RawConfig['consul'], string>> = {};
  const addr = optional(f, 'consul-addr');
  if (addr) consul.address = addr;
  const ssl = sslLayer(f);
  if (ssl) consul.ssl = ssl;
  const token = optional(f, 'consul-token');
  if (token) consul.token = token;
  const retry: NonNullable<typeof consul.retry> = {};
  if (f.has('consul-retry-attempts')) retry.attempts = f.number('consul-retry-attempts');
  const backoff = optional(f, 'consul-retry-backoff');
  if (backoff) retry.backoff = backoff;
  const maxBackoff = optional(f, 'consul-retry-max-backoff');
  if (maxBackoff) retry.max_backoff = maxBackoff;
  if (Object.keys(retry).length > 0) consul.retry = retry;
  const layer: RawConfig = {};
  if (Object.keys(consul).length > 0) layer.consul = consul;
  void env;
  const templates = f.list('template').map((t) => parseTemplateFlag(t) as RawTemplate);
  if (templates.length > 0) layer.template = templates;
  if (f.has('once')) layer.once = f.bool('once');
  if (f.has('dry')) layer.dry = f.bool('dry');
  const simple: Array<[string, keyof RawConfig]> = [
    ['wait', 'wait'],
    ['max-stale', 'max_stale'],
    ['log-level', 'log_level'],
    ['pid-file', 'pid_file'],
    ['kill-signal', 'kill_signal'],
    ['reload-signal', 'reload_signal'],
  ];
  for (const [flag, key] of simple) {
    const v = optional(f, flag);
    if (v !== undefined) (layer as Record<string, unknown>)[key] = v;
  }
  const exec = optional(f, 'exec');
  if (exec !== undefined) {
    const reload = optional(f, 'exec-reload-signal');
    const kill = optional(f, 'exec-kill-signal');
    const timeout = optional(f, 'exec-kill-timeout');
    layer.exec = { command: exec, ...(reload ? { reload_signal: reload } : {}), ...(kill ? { kill_signal: kill } : {}), ...(timeout ? { kill_timeout: timeout } : {}) };
  }
  return layer;
}

export const template: Command = {
  synopsis: "Renders templates from the agent's data (consul-template)",
  help: () => USAGE,
  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io);
    if (!line) return 1;
    const f = line.flags;
    const lib = await import('@concord/template');
    const loadConfig = async () => {
      const layers: RawConfig[] = [];
      for (const path of f.list('config')) layers.push(...(await lib.readConfigPath(path)));
      layers.push(flagLayer(f, io.env, lib.parseTemplateFlag));
      return lib.buildConfig(layers);
    };
    let config;
    let level;
    try {
      config = await loadConfig();
      level = lib.parseLogLevel(config.logLevel);
    } catch (err) {
      io.err(err instanceof Error ? err.message : String(err));
      return 1;
    }
    const log = lib.createLog(level, (l) => io.err(l));
    const token = config.consul.token ?? tokenFromEnv(io.env);
    let api: ConsulApi;
    try {
      const ssl = config.consul.ssl;
      api = new ConsulApi({ address: agentAddress(config.consul.address ?? addressFromEnv(io.env), ssl), ...(token ? { token } : {}), tls: apiTls(ssl), env: io.env });
    } catch (err) {
      io.err(err instanceof Error ? err.message : String(err));
      return 1;
    }
    let runner;
    try {
      runner = new lib.Runner(config, { api, log, env: io.env, stdout: (text) => io.write(`${text}\n`) });
    } catch (err) {
      io.err(err instanceof Error ? err.message : String(err));
      return 1;
    }
    const stop = (): void => void runner.stop();
    const reload = (): void => {
      loadConfig()
        .then((next) => runner.reload(next))
        .catch((err: unknown) => log.error(`reload failed, keeping the running configuration: ${err instanceof Error ? err.message : String(err)}`));
    };
    const stopSignals = [...new Set<NodeJS.Signals>([config.killSignal, 'SIGINT', 'SIGTERM'])];
    for (const s of stopSignals) process.on(s, stop);
    process.on(config.reloadSignal, reload);
    try {
      return await runner.run();
    } finally {
      for (const s of stopSignals) process.off(s, stop);
      process.off(config.reloadSignal, reload);
    }
  },
};
