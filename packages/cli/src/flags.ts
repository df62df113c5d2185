/** Flag parsing for commands: Go-style flags, one-line errors. */
import { FlagError, parseGoFlags } from '@concord/agent';
import type { FlagSpecs, FlagValue, ParsedFlags } from '@concord/agent';
import type { Io } from './io.js';

/** Parses flags; on bad input prints the error and returns `undefined` (exit 1). */
export function parseFlags(args: readonly string[], specs: FlagSpecs, io: Io): ParsedFlags | undefined {
  try {
    return parseGoFlags(args, specs);
  } catch (err) {
    if (err instanceof FlagError) {
      io.err(err.message);
      return undefined;
    }
    throw err;
  }
}

export class FlagReader {
  readonly #values: Record<string, FlagValue>;

  constructor(values: Record<string, FlagValue>) {
    this.#values = values;
  }

  has(name: string): boolean {
    return name in this.#values;
  }

  string(name: string, fallback = ''): string {
    const v = this.#values[name];
    return typeof v === 'string' ? v : fallback;
  }

  bool(name: string): boolean {
    return this.#values[name] === true;
  }

  number(name: string, fallback = 0): number {
    const v = this.#values[name];
    return typeof v === 'number' ? v : fallback;
  }

  list(name: string): string[] {
    const v = this.#values[name];
    return Array.isArray(v) ? v : [];
  }

  /** Repeated `key=value` flags as a map; throws FlagError on a missing `=`. */
  map(name: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const item of this.list(name)) {
      const eq = item.indexOf('=');
      if (eq === -1) throw new FlagError(`invalid value "${item}" for flag -${name}: missing "=" in argument: ${item}`);
      out[item.slice(0, eq)] = item.slice(eq + 1);
    }
    return out;
  }

  /** A flag that must be an unsigned integer. */
  uint(name: string): number {
    const v = this.number(name);
    if (v < 0) throw new FlagError(`invalid value "${v}" for flag -${name}: parse error`);
    return v;
  }
}
