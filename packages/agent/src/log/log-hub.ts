/**
 * Where the agent's log lines go: the agent's own output (at the configured level) and any
 * number of monitors (`/v1/agent/monitor`), each at its own level, as JSON or as text. The
 * logger's level is the lowest anyone listens at, so debug lines cost nothing until a monitor
 * asks for them. Each monitor has a bounded queue: a reader that does not keep up loses lines
 * (and is told how many), it never makes the agent hold more.
 */
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { LogLevel } from '../config/config.js';

/** pino's numeric levels. */
export const LEVEL_VALUES: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50 };
const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'ERROR' };

/** Consul's `?loglevel=` names (case-insensitive), as pino levels; undefined when unknown. */
export function parseMonitorLevel(raw: string): LogLevel | undefined {
  const v = raw.toLowerCase();
  if (v === 'err') return 'error';
  if (v === 'warning') return 'warn';
  return v in LEVEL_VALUES ? (v as LogLevel) : undefined;
}

/** A monitor's sink: `write` returns false when the reader is behind; `drained` fires once it caught up. */
export interface MonitorSink {
  write(line: string): boolean;
  onDrain(cb: () => void): void;
  /** Ends the stream (the agent is shutting down). */
  end(): void;
}

export interface MonitorOptions {
  level: LogLevel;
  json: boolean;
  /** Lines held while the reader is behind; more are dropped (default 512, as Consul's buffer). */
  queueLimit?: number;
}

const RESERVED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v']);

/** One JSON log line as hclog's text format: `2006-01-02T15:04:05.000Z [INFO]  msg: key=value`. */
export function formatText(entry: Record<string, unknown>): string {
  const level = LEVEL_NAMES[Number(entry.level)] ?? 'INFO';
  const time = new Date(typeof entry.time === 'number' ? entry.time : Date.now()).toISOString();
  const fields = Object.entries(entry)
    .filter(([k]) => !RESERVED.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? (/[\s"]/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`);
  const pad = level.length < 5 ? ' '.repeat(5 - level.length) : '';
  return `${time} [${level}] ${pad}${String(entry.msg ?? '')}${fields.length > 0 ? `: ${fields.join(' ')}` : ''}`;
}

/** The agent's own output (a sonic-boom destination or pino-pretty). */
export interface LineWriter {
  write(line: string): unknown;
}

class Monitor {
  readonly #queue: string[] = [];
  #blocked = false;
  #dropped = 0;

  constructor(
    readonly levelValue: number,
    readonly json: boolean,
    readonly sink: MonitorSink,
    readonly limit: number,
  ) {
    sink.onDrain(() => this.#flush());
  }

  push(line: string): void {
    if (this.#blocked) {
      if (this.#queue.length >= this.limit) this.#dropped++;
      else this.#queue.push(line);
      return;
    }
    if (!this.sink.write(line)) this.#blocked = true;
  }

  #flush(): void {
    this.#blocked = false;
    while (this.#queue.length > 0 && !this.#blocked) {
      if (!this.sink.write(this.#queue.shift() as string)) this.#blocked = true;
    }
    if (!this.#blocked && this.#dropped > 0) {
      const n = this.#dropped;
      this.#dropped = 0;
      const notice = `Monitor dropped ${n} logs during monitor request`;
      const entry = { level: 40, time: Date.now(), msg: notice };
      if (!this.sink.write(`${this.json ? JSON.stringify(entry) : formatText(entry)}\n`)) this.#blocked = true;
    }
  }
}

export class LogHub {
  readonly #monitors = new Set<Monitor>();
  #out: LineWriter | undefined;
  #levelValue: number;
  #logger: Logger | undefined;

  constructor(level: LogLevel) {
    this.#levelValue = LEVEL_VALUES[level];
  }

  /** The pino destination: every line the logger emits passes here. */
  readonly stream = new Writable({
    write: (chunk: Buffer | string, _enc, done) => {
      this.#dispatch(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      done();
    },
  });

  /** Binds the logger (whose level this hub manages) and the agent's own output. */
  attach(logger: Logger, out: LineWriter): void {
    this.#logger = logger;
    this.#out = out;
    this.#applyLevel();
  }

  /** The agent's configured level (`-log-level`, reload). */
  setLevel(level: LogLevel): void {
    this.#levelValue = LEVEL_VALUES[level];
    this.#applyLevel();
  }

  get monitorCount(): number {
    return this.#monitors.size;
  }

  /** Starts feeding `sink`; returns the function that stops it. */
  monitor(sink: MonitorSink, options: MonitorOptions): () => void {
    const m = new Monitor(LEVEL_VALUES[options.level], options.json, sink, options.queueLimit ?? 512);
    this.#monitors.add(m);
    this.#applyLevel();
    return () => {
      if (this.#monitors.delete(m)) this.#applyLevel();
    };
  }

  /** Ends every monitor (at shutdown). */
  close(): void {
    const all = [...this.#monitors];
    this.#monitors.clear();
    this.#applyLevel();
    for (const m of all) m.sink.end();
  }

  #applyLevel(): void {
    if (!this.#logger) return;
    let lowest = this.#levelValue;
    for (const m of this.#monitors) lowest = Math.min(lowest, m.levelValue);
    const name = (Object.keys(LEVEL_VALUES) as LogLevel[]).find((k) => LEVEL_VALUES[k] === lowest) ?? 'info';
    if (this.#logger.level !== name) this.#logger.level = name;
  }

  #dispatch(text: string): void {
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const level = levelOf(line);
      if (level >= this.#levelValue) this.#out?.write(`${line}\n`);
      if (this.#monitors.size === 0) continue;
      let entry: Record<string, unknown> | undefined;
      for (const m of this.#monitors) {
        if (level < m.levelValue) continue;
        if (m.json) {
          m.push(`${line}\n`);
          continue;
        }
        entry ??= parse(line);
        m.push(`${formatText(entry)}\n`);
      }
    }
  }
}

/** The `"level":N` of a pino JSON line (pino writes it first). */
function levelOf(line: string): number {
  const m = /"level":(\d+)/.exec(line.slice(0, 40));
  return m ? Number(m[1]) : 30;
}

function parse(line: string): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { level: 30, msg: line };
  }
}
