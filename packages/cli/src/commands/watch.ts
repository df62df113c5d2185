/**
 * `concord watch -type <type> [options] [handler]`: Consul's watch command.
 * With a handler, runs it (through the shell unless -shell=false) with the
 * result's JSON on stdin each time the result changes; without one, prints
 * the first result as indented JSON and exits.
 */
import { runScriptHandler, WatchError, WatchPlan, parseWatchParams, addressFromEnv, tokenFromEnv } from '@concord/api';
import type { Command } from '../command.js';
import { parseCommandLine } from '../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, SERVER_FLAGS, SERVER_FLAGS_HELP } from '../http-flags.js';
import type { Io } from '../io.js';
import { readFileSync } from 'node:fs';

const FLAGS = {
  ...CLIENT_FLAGS,
  ...SERVER_FLAGS,
  type: { kind: 'string' },
  key: { kind: 'string' },
  prefix: { kind: 'string' },
  service: { kind: 'string' },
  tag: { kind: 'list' },
  passingonly: { kind: 'boolean' },
  state: { kind: 'string' },
  name: { kind: 'string' },
  shell: { kind: 'boolean' },
} as const;

const USAGE = `Usage: concord watch [options] [child...]

  Watches for changes in a given data view from the agent. If a child process
  is specified, it is invoked with the latest results on stdin (and the index
  in CONSUL_INDEX) each time they change. Otherwise the first result is
  printed as JSON and the command exits.

      $ concord watch -type service -service web -passingonly ./update-lb.sh
      $ concord watch -type keyprefix -prefix app/config
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}

Watch Options

  -type=<type>        key, keyprefix, services, nodes, service, checks or event.
  -key=<key>          The key for a "key" watch.
  -prefix=<prefix>    The prefix for a "keyprefix" watch.
  -service=<name>     The service for "service" and "checks" watches.
  -tag=<tag>          Service tag filter (repeatable) for a "service" watch.
  -passingonly        Only passing instances for a "service" watch.
  -state=<state>      Check state for a "checks" watch (any, passing, warning, critical).
  -name=<name>        Event name for an "event" watch.
  -shell=<bool>       Run the child through the shell (default true).`;

export const watch: Command = {
  synopsis: 'Watch for changes in Consul',
  help: () => USAGE,
  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io, { max: undefined });
    if (!line) return 1;
    const f = line.flags;
    const opt = (name: string): string | undefined => (f.has(name) ? f.string(name) : undefined);
    let params;
    try {
      params = parseWatchParams({
        type: opt('type'),
        key: opt('key'),
        prefix: opt('prefix'),
        service: opt('service'),
        tag: f.has('tag') ? f.list('tag') : undefined,
        passingonly: f.has('passingonly') ? f.bool('passingonly') : undefined,
        state: opt('state'),
        name: opt('name'),
        datacenter: opt('datacenter'),
        stale: f.has('stale') ? f.bool('stale') : undefined,
      });
    } catch (err) {
      if (err instanceof WatchError) {
        io.err(err.message);
        return 1;
      }
      throw err;
    }
    let token = opt('token');
    const tokenFile = opt('token-file');
    if (!token && tokenFile) token = readFileSync(tokenFile, 'utf8').trim() || undefined;
    token ??= tokenFromEnv(io.env);
    const plan = new WatchPlan(params, {
      address: opt('http-addr') || addressFromEnv(io.env),
      ...(token ? { token } : {}),
      onError: (err) => io.err(`Error querying Consul agent: ${err.message}`),
    });
    const child = line.args;
    const shell = f.has('shell') ? f.bool('shell') : true;
    if (child.length === 0) {
      let printed = false;
      await plan.run((_index, result) => {
        io.out(JSON.stringify(result, null, 4));
        printed = true;
        plan.stop();
      });
      return printed ? 0 : 1;
    }
    const command = shell ? child.join(' ') : child;
    const stop = (): void => plan.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await plan.run(async (index, result) => {
        const code = await runScriptHandler(command, index, result, io.env);
        if (code !== 0) io.err(`Error executing handler: exit status ${code}`);
      });
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return 0;
  },
};
