/**
 * consul-template's configuration: the command-line flags and HCL/JSON config
 * files (or directories of them), merged in order (files, then flags), and
 * checked before anything runs.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseDuration } from '@concord/api';

export interface Wait {
  readonly minMs: number;
  readonly maxMs: number;
}

export interface TemplateConfig {
  readonly source?: string;
  readonly contents?: string;
  readonly destination: string;
  readonly command?: string;
  readonly commandTimeoutMs: number;
  /** File mode of the output; by default the existing file's, else 0644. */
  readonly perms?: number;
  readonly backup: boolean;
  readonly leftDelimiter?: string;
  readonly rightDelimiter?: string;
  readonly wait?: Wait;
  readonly errorOnMissingKey: boolean;
  readonly createDestDirs: boolean;
}

export interface ExecConfig {
  readonly command: string;
  readonly reloadSignal?: NodeJS.Signals;
  readonly killSignal: NodeJS.Signals;
  readonly killTimeoutMs: number;
}

export interface RunnerConfig {
  readonly consul: {
    readonly address?: string;
    readonly token?: string;
    /** TLS towards the agent (`consul { ssl { ... } }` and the -consul-ssl-* flags). */
    readonly ssl?: RawSsl;
    readonly retry: { readonly attempts: number; readonly backoffMs: number; readonly maxBackoffMs: number };
  };
  readonly templates: readonly TemplateConfig[];
  readonly once: boolean;
  readonly dry: boolean;
  readonly wait?: Wait;
  readonly maxStaleMs: number;
  readonly logLevel: string;
  readonly pidFile?: string;
  readonly killSignal: NodeJS.Signals;
  readonly reloadSignal: NodeJS.Signals;
  readonly exec?: ExecConfig;
}

export class ConfigError extends Error {
  readonly code = 'TEMPLATE_CONFIG';
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
/** Largest config file read. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
const SIGNALS = new Set(['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGKILL', 'SIGWINCH', 'SIGCONT', 'SIGSTOP']);

export function parseSignal(text: string, what: string): NodeJS.Signals {
  const name = text.trim().toUpperCase();
  const full = name.startsWith('SIG') ? name : `SIG${name}`;
  if (!SIGNALS.has(full)) throw new ConfigError(`${what}: unknown signal ${JSON.stringify(text)}`);
  return full as NodeJS.Signals;
}

export function parseDurationMs(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value * 1000;
  if (typeof value === 'string') {
    const ms = parseDuration(value);
    if (ms !== undefined && ms >= 0) return ms;
  }
  throw new ConfigError(`${what}: invalid duration ${JSON.stringify(value)}`);
}

/** `-wait "5s"` or `"5s:10s"` (max defaults to 4 × min, as consul-template does). */
export function parseWait(text: string, what = 'wait'): Wait {
  const [a, b, ...rest] = text.split(':');
  if (rest.length > 0 || a === undefined || a.trim() === '') throw new ConfigError(`${what}: invalid format ${JSON.stringify(text)}`);
  const minMs = parseDurationMs(a.trim(), what);
  const maxMs = b === undefined ? minMs * 4 : parseDurationMs(b.trim(), what);
  if (maxMs < minMs) throw new ConfigError(`${what}: max must be larger than min`);
  return { minMs, maxMs };
}

/** `-template "src:dest[:command]"`; the command may itself contain colons. */
export function parseTemplateFlag(text: string): Partial<RawTemplate> {
  const parts = text.split(':');
  if (parts.length < 2 || parts[0] === '' || parts[1] === '') throw new ConfigError(`-template: invalid format ${JSON.stringify(text)} (expected "source:destination[:command]")`);
  const command = parts.slice(2).join(':');
  return { source: parts[0], destination: parts[1], ...(command ? { command } : {}) };
}

/** A template block as written in a config file. */
export interface RawTemplate {
  source?: string;
  contents?: string;
  destination?: string;
  command?: string | string[];
  command_timeout?: string | number;
  perms?: string | number;
  backup?: boolean;
  left_delimiter?: string;
  right_delimiter?: string;
  wait?: string | { min?: string | number; max?: string | number };
  error_on_missing_key?: boolean;
  create_dest_dirs?: boolean;
}

/** consul-template's `consul { ssl { ... } }` block (the -consul-ssl-* flags write the same keys). */
export interface RawSsl {
  enabled?: boolean;
  verify?: boolean;
  ca_cert?: string;
  ca_path?: string;
  cert?: string;
  key?: string;
  server_name?: string;
}

/** The options of one merged configuration before checking. */
export interface RawConfig {
  consul?: string | { address?: string; token?: string; retry?: { attempts?: number; backoff?: string | number; max_backoff?: string | number; enabled?: boolean }; ssl?: RawSsl };
  token?: string;
  template?: RawTemplate[];
  once?: boolean;
  dry?: boolean;
  wait?: string | { min?: string | number; max?: string | number };
  max_stale?: string | number;
  log_level?: string;
  pid_file?: string;
  kill_signal?: string;
  reload_signal?: string;
  exec?: { command?: string | string[]; reload_signal?: string; kill_signal?: string; kill_timeout?: string | number };
}

function parsePerms(v: unknown, what: string): number {
  // HCL 2 reads 0644 as the number 644: its digits are the octal mode.
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  if (!/^0?[0-7]{1,4}$/.test(text)) throw new ConfigError(`${what}: invalid file mode ${JSON.stringify(v)}`);
  return Number.parseInt(text, 8);
}

function waitOf(v: RawTemplate['wait'], what: string): Wait | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return parseWait(v, what);
  if (typeof v !== 'object' || v === null) throw new ConfigError(`${what}: invalid wait`);
  const minMs = v.min === undefined ? 0 : parseDurationMs(v.min, `${what}.min`);
  const maxMs = v.max === undefined ? minMs * 4 : parseDurationMs(v.max, `${what}.max`);
  if (maxMs < minMs) throw new ConfigError(`${what}: max must be larger than min`);
  return { minMs, maxMs };
}

const commandText = (c: string | string[] | undefined): string | undefined => (Array.isArray(c) ? c.join(' ') : c);

function checkTemplate(t: RawTemplate, i: number): TemplateConfig {
  const what = `template ${i + 1}`;
  if (t.source && t.contents !== undefined) throw new ConfigError(`${what}: only one of source or contents may be given`);
  if (!t.source && t.contents === undefined) throw new ConfigError(`${what}: one of source or contents is required`);
  if (!t.destination) throw new ConfigError(`${what}: destination is required`);
  const wait = waitOf(t.wait, `${what} wait`);
  const command = commandText(t.command);
  return {
    ...(t.source ? { source: t.source } : {}),
    ...(t.contents !== undefined ? { contents: t.contents } : {}),
    destination: t.destination,
    ...(command ? { command } : {}),
    commandTimeoutMs: t.command_timeout === undefined ? DEFAULT_COMMAND_TIMEOUT_MS : parseDurationMs(t.command_timeout, `${what} command_timeout`),
    ...(t.perms !== undefined ? { perms: parsePerms(t.perms, `${what} perms`) } : {}),
    backup: t.backup ?? false,
    ...(t.left_delimiter ? { leftDelimiter: t.left_delimiter } : {}),
    ...(t.right_delimiter ? { rightDelimiter: t.right_delimiter } : {}),
    ...(wait ? { wait } : {}),
    errorOnMissingKey: t.error_on_missing_key ?? false,
    createDestDirs: t.create_dest_dirs ?? true,
  };
}

/** Merges config layers (later wins; templates add up) and checks the result. */
export function buildConfig(layers: readonly RawConfig[]): RunnerConfig {
  const merged: RawConfig = {};
  const templates: RawTemplate[] = [];
  let consul: { address?: string; token?: string; retry?: NonNullable<Exclude<RawConfig['consul'], string>>['retry']; ssl?: RawSsl } = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (v === undefined) continue;
      if (k === 'template') templates.push(...(v as RawTemplate[]));
      else if (k === 'consul') {
        const next = typeof v === 'string' ? { address: v } : (v as typeof consul);
        // ssl keys merge one by one, so a flag can add to a config file's block.
        consul = { ...consul, ...next, ...(consul.ssl || next.ssl ? { ssl: { ...consul.ssl, ...next.ssl } } : {}) };
      } else (merged as Record<string, unknown>)[k] = v;
    }
  }
  if (templates.length === 0 && !merged.exec) throw new ConfigError('at least one template is required (-template or a template block)');
  const retry = consul.retry ?? {};
  const execCommand = commandText(merged.exec?.command);
  if (merged.exec && !execCommand) throw new ConfigError('exec: command is required');
  const wait = waitOf(merged.wait, 'wait');
  const token = consul.token ?? merged.token;
  return {
    consul: {
      ...(consul.address ? { address: consul.address } : {}),
      ...(consul.ssl ? { ssl: consul.ssl } : {}),
      ...(token ? { token } : {}),
      retry: {
        attempts: retry.enabled === false ? 1 : (retry.attempts ?? 12),
        backoffMs: retry.backoff === undefined ? 250 : parseDurationMs(retry.backoff, 'consul retry backoff'),
        maxBackoffMs: retry.max_backoff === undefined ? 60_000 : parseDurationMs(retry.max_backoff, 'consul retry max_backoff'),
      },
    },
    templates: templates.map(checkTemplate),
    once: merged.once ?? false,
    dry: merged.dry ?? false,
    ...(wait ? { wait } : {}),
    maxStaleMs: merged.max_stale === undefined ? 2000 : parseDurationMs(merged.max_stale, 'max_stale'),
    logLevel: merged.log_level ?? 'warn',
    ...(merged.pid_file ? { pidFile: merged.pid_file } : {}),
    killSignal: parseSignal(merged.kill_signal ?? 'SIGINT', 'kill_signal'),
    reloadSignal: parseSignal(merged.reload_signal ?? 'SIGHUP', 'reload_signal'),
    ...(merged.exec && execCommand
      ? {
          exec: {
            command: execCommand,
            ...(merged.exec.reload_signal ? { reloadSignal: parseSignal(merged.exec.reload_signal, 'exec reload_signal') } : {}),
            killSignal: parseSignal(merged.exec.kill_signal ?? 'SIGTERM', 'exec kill_signal'),
            killTimeoutMs: merged.exec.kill_timeout === undefined ? 30_000 : parseDurationMs(merged.exec.kill_timeout, 'exec kill_timeout'),
          },
        }
      : {}),
  };
}

/** Unwraps the one-element lists HCL makes of blocks (`consul { }`), keeping `template` a list. */
function normalizeHcl(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    if (key !== 'template' && value.length === 1 && typeof value[0] === 'object' && value[0] !== null && !Array.isArray(value[0])) return normalizeHcl(value[0]);
    return value.map((v) => normalizeHcl(v));
  }
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeHcl(v, k)]));
}

async function parseHcl(path: string, text: string): Promise<unknown> {
  // Loaded by name so its type declarations (which pull in the DOM library) stay out of the build.
  const moduleName: string = '@cdktn/hcl2json';
  const { parse } = (await import(moduleName)) as { parse(file: string, contents: string): Promise<unknown> };
  return parse(path, text);
}

/** Reads one config file (`.json`, else HCL) or every `.hcl`/`.json` file of a directory, sorted by name. */
export async function readConfigPath(path: string): Promise<RawConfig[]> {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new ConfigError(`config: ${path}: no such file or directory`);
  }
  if (st.isDirectory()) {
    const files = readdirSync(path)
      .filter((f) => ['.hcl', '.json'].includes(extname(f)))
      .sort();
    const out: RawConfig[] = [];
    for (const f of files) out.push(...(await readConfigPath(join(path, f))));
    return out;
  }
  if (st.size > MAX_CONFIG_BYTES) throw new ConfigError(`config: ${path} is larger than ${MAX_CONFIG_BYTES} bytes`);
  const text = readFileSync(path, 'utf8');
  let value: unknown;
  try {
    value = extname(path) === '.json' ? JSON.parse(text) : await parseHcl(path, text);
  } catch (err) {
    throw new ConfigError(`config: ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const normalized = normalizeHcl(value);
  if (typeof normalized !== 'object' || normalized === null || Array.isArray(normalized)) throw new ConfigError(`config: ${path}: expected an object`);
  const raw = normalized as RawConfig;
  if (raw.template !== undefined && !Array.isArray(raw.template)) raw.template = [raw.template as RawTemplate];
  return [raw];
}
