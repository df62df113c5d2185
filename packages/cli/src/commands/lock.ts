/**
 * `concord lock [options] <prefix> <child...>`: Consul's lock command. Takes
 * the lock (or, with -n above 1, a semaphore slot) under <prefix>, runs the
 * child while it is held, terminates the child if the lock is lost, and
 * releases it when the child exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { parseDuration } from '@concord/api';
import type { Command } from '../command.js';
import { parseCommandLine } from '../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, SERVER_FLAGS, SERVER_FLAGS_HELP, httpClient } from '../http-flags.js';
import type { Io } from '../io.js';

const FLAGS = {
  ...CLIENT_FLAGS,
  ...SERVER_FLAGS,
  n: { kind: 'number' },
  name: { kind: 'string' },
  timeout: { kind: 'string' },
  'monitor-retry': { kind: 'number' },
  shell: { kind: 'boolean' },
  'child-exit-code': { kind: 'boolean' },
  'pass-stdin': { kind: 'boolean' },
  verbose: { kind: 'boolean' },
} as const;

const USAGE = `Usage: concord lock [options] prefix child...

  Acquires a lock or semaphore at a given path, and invokes a child process
  when successful. The child process can assume the lock is held while it
  executes. If the lock is lost or communication is disrupted the child
  process will be terminated. With -n above 1 a semaphore is used instead
  (at most n holders at once). The lock is released when the child exits.
  With -datacenter the lock's session and keys live in that datacenter.
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}

Command Options

  -child-exit-code     Exit 2 if the child process exited with an error.
  -monitor-retry=<n>   Retries of a 500 error while monitoring the lock (default 3).
  -n=<n>               Maximum number of holders (default 1: a lock).
  -name=<name>         Name of the session (default "Consul lock for <child> at <prefix>").
  -pass-stdin          Pass stdin to the child process.
  -shell               Run the child through the shell (default true).
  -timeout=<duration>  Maximum time to wait for the lock (default: forever).
  -verbose             Log what the lock does.`;

const KILL_GRACE_MS = 5_000;

function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export const lock: Command = {
  synopsis: 'Execute a command holding a lock',
  help: () => USAGE,
  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io, { min: 2, missing: 'Key prefix and child command must be specified', max: undefined });
    if (!line) return 1;
    const f = line.flags;
    const limit = f.has('n') ? f.number('n') : 1;
    if (!Number.isInteger(limit) || limit < 1) {
      io.err('Lock holder limit must be positive');
      return 1;
    }
    const [prefix, ...childArgs] = line.args as [string, ...string[]];
    if (prefix.replace(/\//g, '') === '') {
      io.err('Key prefix must be specified');
      return 1;
    }
    let timeoutMs = 0;
    if (f.has('timeout')) {
      const ms = parseDuration(f.string('timeout'));
      if (ms === undefined || ms < 0) {
        io.err(`invalid duration for -timeout: ${f.string('timeout')}`);
        return 1;
      }
      timeoutMs = ms;
    }
    const shell = f.has('shell') ? f.bool('shell') : true;
    const script = childArgs.join(' ');
    const verbose = f.bool('verbose');
    const { client: api } = httpClient(f, io);
    const { acquireLock, LockError } = await import('@concord/template');

    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // A timer of our own: a composite AbortSignal.any(...timeout) can be collected before it fires.
    const timer = timeoutMs > 0 ? setTimeout(() => stop.abort(), timeoutMs) : undefined;
    const acquireSignal = stop.signal;
    try {
      let held;
      try {
        held = await acquireLock(
          {
            api,
            prefix,
            limit,
            sessionName: f.string('name') || `Consul lock for ${script} at ${prefix}`,
            monitorRetries: f.has('monitor-retry') ? f.number('monitor-retry') : 3,
          },
          acquireSignal,
        );
      } catch (err) {
        io.err(`Lock acquisition failed: ${err instanceof LockError || err instanceof Error ? err.message : String(err)}`);
        return 1;
      }
      clearTimeout(timer);
      if (!held) {
        io.err('Shutdown triggered or timeout during lock acquisition');
        return 1;
      }
      if (verbose) io.err(`Lock acquired (session ${held.session}), starting child`);
      const child = shell
        ? spawn('/bin/sh', ['-c', script], { stdio: [f.bool('pass-stdin') ? 'inherit' : 'ignore', 'inherit', 'inherit'], env: io.env })
        : spawn(childArgs[0] as string, childArgs.slice(1), { stdio: [f.bool('pass-stdin') ? 'inherit' : 'ignore', 'inherit', 'inherit'], env: io.env });
      const exited = new Promise<number>((resolve) => {
        child.on('error', (err) => {
          io.err(`Error running handler: ${err.message}`);
          resolve(1);
        });
        child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
      });
      const outcome = await Promise.race([
        exited.then((code) => ({ kind: 'exit' as const, code })),
        held.lost.then(() => ({ kind: 'lost' as const, code: 0 })),
        new Promise<{ kind: 'signal'; code: number }>((resolve) => stop.signal.addEventListener('abort', () => resolve({ kind: 'signal', code: 0 }), { once: true })),
      ]);
      if (outcome.kind !== 'exit') {
        io.err(outcome.kind === 'lost' ? 'Lock lost, killing child' : 'Shutdown triggered, killing child');
        await killChild(child);
      }
      try {
        await held.release();
      } catch (err) {
        io.err(`Lock release failed: ${err instanceof Error ? err.message : String(err)}`);
        return 1;
      }
      if (outcome.kind === 'lost') return 1;
      if (outcome.kind === 'exit' && outcome.code !== 0 && f.bool('child-exit-code')) return 2;
      return 0;
    } finally {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
