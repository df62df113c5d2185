import * as http from 'node:http';
import * as https from 'node:https';
import type { Command } from '../command.js';
import { parseCommandLine } from '../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, httpClient } from '../http-flags.js';
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
    const api = httpClient(f, io);
    const url = new URL(`${api.client.baseUrl}/v1/agent/monitor`);
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
      const outcome = await stream(url, api.token, api.client.httpsAgent, stop.signal, (chunk) => io.write(chunk));
      if (outcome.kind === 'refused') {
        io.err(`Error starting monitor: Unexpected response code: ${outcome.status} (${outcome.body.trim()})`);
        return 1;
      }
      if (outcome.kind === 'failed' && !outcome.started) {
        if (quitting) return 0;
        io.err(`Error starting monitor: ${outcome.message}`);
        return 1;
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

type Outcome = { kind: 'ended' } | { kind: 'refused'; status: number; body: string } | { kind: 'failed'; started: boolean; message: string };

/**
 * GETs the monitor stream with node:http(s) (not fetch, which refuses some ports an agent may
 * use), passing each chunk on as it arrives; resolves when the stream ends or breaks.
 */
function stream(url: URL, token: string | undefined, agent: https.Agent | undefined, signal: AbortSignal, onChunk: (b: Buffer) => void): Promise<Outcome> {
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve) => {
    let started = false;
    const req = send(url, { method: 'GET', headers: token ? { 'X-Consul-Token': token } : {}, signal, ...(agent ? { agent } : {}) }, (res) => {
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ kind: 'refused', status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => resolve({ kind: 'failed', started: false, message: err.message }));
        return;
      }
      started = true;
      res.on('data', onChunk);
      res.on('end', () => resolve({ kind: 'ended' }));
      res.on('error', () => resolve({ kind: 'ended' }));
      res.on('close', () => resolve({ kind: 'ended' }));
    });
    req.on('error', (err) => resolve({ kind: 'failed', started, message: err.message }));
    req.end();
  });
}
