/**
 * `exec` mode: one supervised child process (run through `sh -c`, with
 * stdio inherited). When templates change it is sent the reload signal, or
 * restarted when there is none; on stop it gets the kill signal, then SIGKILL
 * after the kill timeout. Its exit ends the runner with its exit code.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { ExecConfig } from './config.js';
import type { Log } from './log.js';

export class ChildSupervisor {
  readonly #config: ExecConfig;
  readonly #log: Log;
  readonly #env: NodeJS.ProcessEnv;
  readonly #onExit: (code: number) => void;
  #child: ChildProcess;
  #restarting = false;
  #stopping = false;

  constructor(config: ExecConfig, log: Log, env: NodeJS.ProcessEnv, onExit: (code: number) => void) {
    this.#config = config;
    this.#log = log;
    this.#env = env;
    this.#onExit = onExit;
    this.#child = this.#spawn();
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  #spawn(): ChildProcess {
    const child = spawn('/bin/sh', ['-c', this.#config.command], { env: this.#env, stdio: 'inherit' });
    this.#log.info(`(child) spawned ${JSON.stringify(this.#config.command)} as pid ${child.pid}`);
    child.on('error', (err) => this.#log.error(`(child) ${err.message}`));
    child.on('exit', (code, signal) => {
      if (child !== this.#child || this.#restarting || this.#stopping) return;
      this.#onExit(code ?? (signal ? 128 + signalNumber(signal) : 1));
    });
    return child;
  }

  /** Templates were re-rendered: signal the child, or restart it. */
  templatesChanged(): void {
    if (this.#stopping) return;
    if (this.#config.reloadSignal) {
      this.#child.kill(this.#config.reloadSignal);
      return;
    }
    void this.#restart();
  }

  async #restart(): Promise<void> {
    this.#restarting = true;
    await this.#kill();
    this.#restarting = false;
    if (!this.#stopping) this.#child = this.#spawn();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#kill();
  }

  #kill(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), this.#config.killTimeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill(this.#config.killSignal);
    });
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGUSR2: 12, SIGTERM: 15 };
  return numbers[signal] ?? 0;
}
