import type { Command } from '../command.js';
import { parseCommandLine } from '../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, httpClient, messageOf } from '../http-flags.js';
import type { Io } from '../io.js';

const FLAGS = {
  'log-level': { kind: 'string' },
  'log-json': { kind: 'boolean' },
  ...CLIENT_FLAGS,
} as const;

const REMOTE_ENDED = 'Remote side ended the monitor! This usually means that the\nremote side has exited or crashed.';

export const monitor: Command = {
  synopsis: 'Stream logs from a Concord agent',
  help: () => `Usage: concord monitor [options]

  Shows recent log messages of a Concord agent, and attaches to the agent,
  outputting log messages as they occur in real time. The monitor lets you
  listen for log levels that may be filtered out of the agent's own output.
  For example your agent may only be logging at INFO level, but with the
  monitor you can see the DEBUG level logs.

Command Options

  -log-json         Output logs in JSON format. The default is false.

  -log-level=<string>
                    Log level of the agent. The default is INFO.
${CLIENT_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io);
    if (!line) return 1;
    const f = line.flags;
    const http = httpClient(f, io);
    const url = new URL(`${http.client.baseUrl}/v1/agent/monitor`);
    url.searchParams.set('loglevel', f.string('log-level') || 'INFO');
    if (f.bool('log-json')) url.searchParams.set('logjson', '');
    const stop = new AbortController();
    let quitting = false;
    const onSignal = () => {
      quitting = true;
      stop.abort();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      let res: Response;
      try {
        res = await fetch(url, { headers: http.token ? { 'X-Consul-Token': http.token } : {}, signal: stop.signal });
      } catch (err) {
        if (quitting) return 0;
        io.err(`Error starting monitor: ${messageOf(err instanceof Error && err.cause instanceof Error ? err.cause : err)}`);
        return 1;
      }
      if (res.status !== 200 || !res.body) {
        io.err(`Error starting monitor: Unexpected response code: ${res.status} (${(await res.text()).trim()})`);
        return 1;
      }
      try {
        for await (const chunk of res.body) io.write(chunk);
      } catch {
        // The connection broke, or the user interrupted.
      }
      if (quitting) return 0;
      io.out(REMOTE_ENDED);
      return 1;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
