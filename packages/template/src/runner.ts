/**
 * The runner: renders every template against the data the watcher has,
 * starts a watch for each dependency a render used (stopping those no
 * template uses any more), re-renders when a watched value changes (after the
 * quiescence `wait`, if any), writes a destination only when its contents
 * changed and then runs its command, supervises the `exec` child, and in
 * `once` mode finishes when every template has been rendered.
 */
import { promises as fs } from 'node:fs';
import type { ConsulApi } from '@concord/api';
import { ChildSupervisor } from './child.js';
import type { RunnerConfig, Wait } from './config.js';
import type { Log } from './log.js';
import { writeIfChanged } from './output-file.js';
import { runCommand } from './run-command.js';
import { type Render, TemplateUnit } from './template-unit.js';
import { Watcher } from './watcher.js';

export interface RunnerOptions {
  readonly api: ConsulApi;
  readonly log: Log;
  readonly env?: NodeJS.ProcessEnv;
  /** Where `dry` mode prints the rendered templates. */
  readonly stdout?: (text: string) => void;
}

interface UnitState {
  readonly unit: TemplateUnit;
  /** Rendered completely at least once (written, or already up to date). */
  rendered: boolean;
  waitTimer: NodeJS.Timeout | undefined;
  waitStarted: number;
}

export class Runner {
  #config: RunnerConfig;
  readonly #options: RunnerOptions;
  readonly #watcher: Watcher;
  #units: UnitState[] = [];
  #scheduled = false;
  /** Counts data changes, so a write can tell whether the render it was given is still current. */
  #generation = 0;
  #writing: Promise<void> = Promise.resolve();
  #child: ChildSupervisor | undefined;
  #finished = false;
  #resolve: (code: number) => void = () => undefined;
  readonly #done: Promise<number>;

  constructor(config: RunnerConfig, options: RunnerOptions) {
    this.#config = config;
    this.#options = options;
    this.#done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    this.#watcher = new Watcher({
      api: options.api,
      stale: config.maxStaleMs > 0,
      retry: config.consul.retry,
      onChange: () => {
        this.#generation++;
        this.#schedule();
      },
      onError: (key, err, attempt, fatal) => {
        if (fatal) {
          this.#fail(`${key}: ${err.message} (giving up after ${attempt} attempts)`);
          return;
        }
        options.log.warn(`(view) ${key}: ${err.message} (retry attempt ${attempt})`);
      },
    });
    this.#units = config.templates.map((t) => this.#newState(new TemplateUnit(t, options.env)));
  }

  /** Starts rendering; resolves the exit code (0 after `once` or `stop()`, 1 on a fatal error). */
  async run(): Promise<number> {
    if (this.#config.pidFile) await fs.writeFile(this.#config.pidFile, `${process.pid}`, { mode: 0o644 });
    if (this.#units.length === 0) this.#startChild();
    this.#renderPass();
    return this.#done;
  }

  /** Replaces the configuration's templates (SIGHUP) and renders again. */
  reload(config: RunnerConfig): void {
    const units = config.templates.map((t) => this.#newState(new TemplateUnit(t, this.#options.env)));
    for (const s of this.#units) clearTimeout(s.waitTimer);
    this.#config = config;
    this.#units = units;
    this.#options.log.info('(runner) reloaded configuration');
    this.#renderPass();
  }

  /** Stops watching, cancels pending writes, stops the child; `run()` resolves 0. */
  async stop(): Promise<void> {
    await this.#finish(0);
  }

  /** Queries each watched dependency has had answered (for tests and benchmarks). */
  queryCounts(): Map<string, number> {
    return this.#watcher.stats();
  }

  #newState(unit: TemplateUnit): UnitState {
    return { unit, rendered: false, waitTimer: undefined, waitStarted: 0 };
  }

  #schedule(): void {
    if (this.#scheduled || this.#finished) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#renderPass();
    });
  }

  #renderPass(): void {
    if (this.#finished) return;
    const used = new Set<string>();
    for (const state of this.#units) {
      const render = this.#renderUnit(state, used);
      if (render === undefined) return;
      if (render.missing.length > 0) continue;
      const wait = state.unit.config.wait ?? this.#config.wait;
      if (wait && wait.minMs > 0 && !this.#config.once) this.#quiesce(state, wait);
      else this.#queueWrite(state, render);
    }
    this.#watcher.prune(used);
  }

  /** Renders one unit and watches what it read; undefined after a fatal error. */
  #renderUnit(state: UnitState, used: Set<string>): Render | undefined {
    try {
      const r = state.unit.render(this.#watcher);
      for (const [key, dep] of r.used) {
        used.add(key);
        this.#watcher.watch(dep);
      }
      if (r.missing.length > 0) this.#options.log.debug(`(runner) ${state.unit.config.destination}: waiting for ${r.missing.join(', ')}`);
      return r;
    } catch (err) {
      this.#fail(err instanceof Error ? err.message : String(err));
      return undefined;
    }
  }

  /** Waits until the data has been quiet for `min` (but no longer than `max` in all) before writing. */
  #quiesce(state: UnitState, wait: Wait): void {
    const now = Date.now();
    if (state.waitTimer === undefined) state.waitStarted = now;
    clearTimeout(state.waitTimer);
    const delay = Math.max(0, Math.min(wait.minMs, state.waitStarted + wait.maxMs - now));
    state.waitTimer = setTimeout(() => {
      state.waitTimer = undefined;
      this.#queueWrite(state);
    }, delay);
  }

  /** Writes after the writes queued before; `render` is reused when no data arrived since it was made. */
  #queueWrite(state: UnitState, render?: Render): void {
    const generation = this.#generation;
    this.#writing = this.#writing
      .then(() => this.#write(state, generation === this.#generation ? render : undefined))
      .catch((err: unknown) => this.#fail(err instanceof Error ? err.message : String(err)));
  }

  async #write(state: UnitState, fresh: Render | undefined): Promise<void> {
    if (this.#finished || !this.#units.includes(state)) return;
    // Render again if the data may have moved on while this write waited.
    const r = fresh ?? state.unit.render(this.#watcher);
    if (r.missing.length > 0) return;
    const { config } = state.unit;
    let changed: boolean;
    if (this.#config.dry) {
      this.#options.stdout?.(`> ${config.destination}\n${r.output}`);
      changed = false;
    } else {
      changed = await writeIfChanged(config.destination, r.output, {
        ...(config.perms !== undefined ? { perms: config.perms } : {}),
        backup: config.backup,
        createDestDirs: config.createDestDirs,
      });
    }
    if (changed) this.#options.log.info(`(runner) rendered ${config.destination}`);
    if (changed && config.command) {
      const res = await runCommand(config.command, config.commandTimeoutMs, this.#options.env);
      if (res.timedOut) this.#options.log.error(`(runner) command "${config.command}" timed out after ${config.commandTimeoutMs} ms`);
      else if (res.code !== 0) this.#options.log.error(`(runner) command "${config.command}" failed (exit ${res.code ?? res.signal}): ${res.output.trim()}`);
      if ((res.timedOut || res.code !== 0) && this.#config.once) {
        this.#fail(`command "${config.command}" failed`);
        return;
      }
    }
    const first = !state.rendered;
    state.rendered = true;
    const all = this.#units.every((s) => s.rendered);
    if (all && this.#config.once) {
      await this.#finish(0);
      return;
    }
    if (all && first && !this.#child) this.#startChild();
    else if (changed && this.#child) this.#child.templatesChanged();
  }

  #startChild(): void {
    const exec = this.#config.exec;
    if (!exec || this.#finished) return;
    this.#child = new ChildSupervisor(exec, this.#options.log, this.#options.env ?? process.env, (code) => {
      this.#options.log.info(`(runner) child exited with ${code}`);
      void this.#finish(code);
    });
  }

  #fail(message: string): void {
    this.#options.log.error(message);
    void this.#finish(1);
  }

  async #finish(code: number): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    this.#watcher.stop();
    for (const s of this.#units) clearTimeout(s.waitTimer);
    await this.#child?.stop();
    if (this.#config.pidFile) await fs.rm(this.#config.pidFile, { force: true });
    this.#resolve(code);
  }
}
