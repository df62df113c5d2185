/** Flag parsing for commands: Go-style flags, one-line errors. */
import { FlagError, parseGoFlags } from '@concord/goflags';
import type { FlagSpecs, FlagValue, ParsedFlags } from '@concord/goflags';
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

/** How many positional arguments a command takes, and what to say otherwise. */
export interface Arity {
  readonly min?: number;
  /** At most this many; unlimited when absent. */
  readonly max?: number;
  /** Printed when fewer than `min` are given; default `Missing arguments (expected N, got M)`. */
  readonly missing?: string;
  /** Printed when more than `max` are given; default `Too many arguments (expected N, got M)`. */
  readonly tooMany?: string | ((given: readonly string[]) => string);
}

export interface CommandLine {
  readonly flags: FlagReader;
  readonly args: readonly string[];
}

/**
 * Parses flags and checks the positional arguments against `arity`; on bad
 * input prints one line and returns `undefined` (the command exits 1).
 */
export function parseCommandLine(args: readonly string[], specs: FlagSpecs, io: Io, arity: Arity = { max: 0 }): CommandLine | undefined {
  const parsed = parseFlags(args, specs, io);
  if (!parsed) return undefined;
  const n = parsed.positionals.length;
  const min = arity.min ?? 0;
  if (n < min) {
    io.err(arity.missing ?? `Missing arguments (expected ${min}, got ${n})`);
    return undefined;
  }
  if (arity.max !== undefined && n > arity.max) {
    const { tooMany } = arity;
    io.err(typeof tooMany === 'function' ? tooMany(parsed.positionals) : (tooMany ?? `Too many arguments (expected ${arity.max}, got ${n})`));
    return undefined;
  }
  return { flags: new FlagReader(parsed.values), args: parsed.positionals };
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
