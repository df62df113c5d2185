/**
 * Go-style command-line flags, as Consul's commands take them:
 * `-server`, `-bootstrap-expect=3`, `-join 10.0.0.1`, `--http-port 8500`, `-dev=false`.
 * Parsing stops at the first non-flag argument or at `--`.
 */

export type FlagKind = 'string' | 'boolean' | 'number' | 'list';

export interface FlagSpec {
  readonly kind: FlagKind;
  /** Other names that set the same flag. */
  readonly aliases?: readonly string[];
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export type FlagValue = string | boolean | number | string[];

export interface ParsedFlags {
  /** Only the flags that were given, keyed by their canonical name. */
  readonly values: Record<string, FlagValue>;
  readonly positionals: string[];
}

export class FlagError extends Error {
  readonly code = 'CLI_FLAG';
}

export function parseGoFlags(argv: readonly string[], specs: FlagSpecs): ParsedFlags {
  const byName = new Map<string, [string, FlagSpec]>();
  for (const [name, spec] of Object.entries(specs)) {
    byName.set(name, [name, spec]);
    for (const alias of spec.aliases ?? []) byName.set(alias, [name, spec]);
  }
  const values: Record<string, FlagValue> = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      i++;
      break;
    }
    if (arg.length < 2 || arg[0] !== '-' || arg === '-') break;
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    const eq = body.indexOf('=');
    const given = eq === -1 ? body : body.slice(0, eq);
    const entry = byName.get(given);
    if (!entry) throw new FlagError(`flag provided but not defined: -${given}`);
    const [name, spec] = entry;
    let raw: string | undefined = eq === -1 ? undefined : body.slice(eq + 1);
    if (spec.kind === 'boolean') {
      if (raw === undefined) {
        values[name] = true;
      } else {
        const b = parseBool(raw);
        if (b === undefined) throw new FlagError(`invalid boolean value "${raw}" for -${given}`);
        values[name] = b;
      }
      continue;
    }
    if (raw === undefined) {
      if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: -${given}`);
      raw = argv[++i] as string;
    }
    if (spec.kind === 'number') {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || !Number.isInteger(n)) {
        throw new FlagError(`invalid value "${raw}" for flag -${given}: parse error`);
      }
      values[name] = n;
    } else if (spec.kind === 'list') {
      const prev = values[name];
      values[name] = [...(Array.isArray(prev) ? prev : []), raw];
    } else {
      values[name] = raw;
    }
  }
  return { values, positionals: argv.slice(i) };
}

function parseBool(raw: string): boolean | undefined {
  switch (raw.toLowerCase()) {
    case '1':
    case 't':
    case 'true':
      return true;
    case '0':
    case 'f':
    case 'false':
      return false;
    default:
      return undefined;
  }
}
