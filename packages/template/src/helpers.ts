/**
 * consul-template's helper functions that need no Consul data, as its templating
 * language documents them (argument order included: the
 * last argument is the one a pipeline supplies).
 */
import { createHash } from 'node:crypto';
import { printValue, type TemplateFunc } from '@concord/gotemplate';
import { parse as parseYaml } from 'yaml';
import type { KeyPair } from './dependencies.js';

type Rec = Record<string, unknown>;

const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map);

function str(v: unknown, fn: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  throw new Error(`${fn}: expected a string, got ${printValue(v)}`);
}

function list(v: unknown, fn: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  throw new Error(`${fn}: expected a list, got ${printValue(v)}`);
}

function num(v: unknown, fn: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  throw new Error(`${fn}: expected a number, got ${printValue(v)}`);
}

/** `in`/`contains`: is the needle in the list (or substring of the string)? */
function within(haystack: unknown, needle: unknown, fn: string): boolean {
  if (typeof haystack === 'string') return haystack.includes(str(needle, fn));
  if (isRecord(haystack)) return Object.hasOwn(haystack, str(needle, fn));
  return list(haystack, fn).some((x) => x === needle);
}

/** Go's strings.Title: upper-cases the first letter of each word. */
function title(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
}

/** JSON with map keys sorted, as Go's encoding/json writes maps. */
function sortedJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedJson);
  if (v instanceof Map) return sortedJson(Object.fromEntries(v));
  if (isRecord(v) && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortedJson(v[k])]),
    );
  }
  return v;
}

function goJson(v: unknown, indent?: number): string {
  const text = JSON.stringify(sortedJson(v), (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x), indent) ?? 'null';
  // Go's encoder escapes <, > and & for HTML safety.
  return text.replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

/** Turns tree pairs (or a flat map with "/" keys) into nested maps. */
function explodeInto(out: Rec, path: string, value: unknown): void {
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0) return;
  let cur = out;
  for (const part of parts.slice(0, -1)) {
    if (!isRecord(cur[part])) cur[part] = {};
    cur = cur[part] as Rec;
  }
  cur[parts[parts.length - 1] as string] = value;
}

const GO_LAYOUT: ReadonlyArray<[string, (d: Date) => string]> = [
  ['2006', (d) => String(d.getUTCFullYear())],
  ['January', (d) => d.toLocaleString('en-US', { month: 'long', timeZone: 'UTC' })],
  ['Jan', (d) => d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })],
  ['Monday', (d) => d.toLocaleString('en-US', { weekday: 'long', timeZone: 'UTC' })],
  ['Mon', (d) => d.toLocaleString('en-US', { weekday: 'short', timeZone: 'UTC' })],
  ['MST', () => 'UTC'],
  ['Z07:00', () => 'Z'],
  ['-07:00', () => '+00:00'],
  ['-0700', () => '+0000'],
  ['01', (d) => String(d.getUTCMonth() + 1).padStart(2, '0')],
  ['02', (d) => String(d.getUTCDate()).padStart(2, '0')],
  ['03', (d) => String(d.getUTCHours() % 12 || 12).padStart(2, '0')],
  ['15', (d) => String(d.getUTCHours()).padStart(2, '0')],
  ['04', (d) => String(d.getUTCMinutes()).padStart(2, '0')],
  ['05', (d) => String(d.getUTCSeconds()).padStart(2, '0')],
  ['06', (d) => String(d.getUTCFullYear() % 100).padStart(2, '0')],
  ['PM', (d) => (d.getUTCHours() < 12 ? 'AM' : 'PM')],
  ['.000', (d) => `.${String(d.getUTCMilliseconds()).padStart(3, '0')}`],
  ['_2', (d) => String(d.getUTCDate()).padStart(2, ' ')],
  ['1', (d) => String(d.getUTCMonth() + 1)],
  ['2', (d) => String(d.getUTCDate())],
  ['3', (d) => String(d.getUTCHours() % 12 || 12)],
  ['4', (d) => String(d.getUTCMinutes())],
  ['5', (d) => String(d.getUTCSeconds())],
];

/** Formats a time (in UTC) with a Go reference layout such as "2006-01-02T15:04:05Z07:00". */
export function formatGoTime(d: Date, layout: string): string {
  let out = '';
  let i = 0;
  outer: while (i < layout.length) {
    for (const [token, render] of GO_LAYOUT) {
      if (layout.startsWith(token, i)) {
        out += render(d);
        i += token.length;
        continue outer;
      }
    }
    out += layout[i];
    i++;
  }
  return out;
}

/** consul-template's Scratch: a per-render key/value scratchpad. */
export class Scratch {
  readonly #values = new Map<string, unknown>();

  Key(k: string): boolean {
    return this.#values.has(k);
  }
  Get(k: string): unknown {
    return this.#values.get(k);
  }
  Set(k: string, v: unknown): string {
    this.#values.set(k, v);
    return '';
  }
  SetX(k: string, v: unknown): string {
    if (!this.#values.has(k)) this.#values.set(k, v);
    return '';
  }
  MapSet(k: string, mk: string, v: unknown): string {
    const m = this.#values.get(k);
    if (isRecord(m)) m[mk] = v;
    else this.#values.set(k, { [mk]: v });
    return '';
  }
  MapSetX(k: string, mk: string, v: unknown): string {
    const m = this.#values.get(k);
    if (isRecord(m)) {
      if (!Object.hasOwn(m, mk)) m[mk] = v;
    } else {
      this.#values.set(k, { [mk]: v });
    }
    return '';
  }
  MapValues(k: string): unknown[] {
    const m = this.#values.get(k);
    if (!isRecord(m)) return [];
    return Object.keys(m)
      .sort()
      .map((key) => m[key]);
  }
}

function groupBy<T>(items: readonly T[], keysOf: (item: T) => readonly string[]): Record<string, T[]> {
  const out: Record<string, T[]> = {};
  for (const item of items) for (const key of keysOf(item)) (out[key] ??= []).push(item);
  return out;
}

function parseIntGo(s: string, fn: string, unsigned: boolean): number {
  const t = s.trim();
  const re = unsigned ? /^(0x[0-9a-f]+|0o?[0-7]+|0b[01]+|\d+)$/i : /^[+-]?(0x[0-9a-f]+|0o?[0-7]+|0b[01]+|\d+)$/i;
  if (!re.test(t)) throw new Error(`${fn}: strconv.Parse${unsigned ? 'Uint' : 'Int'}: parsing ${JSON.stringify(s)}: invalid syntax`);
  const neg = t.startsWith('-');
  const body = t.replace(/^[+-]/, '');
  const value = /^0[0-7]+$/.test(body) ? Number.parseInt(body, 8) : Number(body.replace(/^0o/i, '0o'));
  return neg ? -value : value;
}

const mathOp =
  (fn: string, op: (a: number, b: number) => number) =>
  (b: unknown, a: unknown): number => {
    const x = num(a, fn);
    const y = num(b, fn);
    const r = op(x, y);
    if (!Number.isFinite(r)) throw new Error(`${fn}: division by zero`);
    return Number.isInteger(x) && Number.isInteger(y) && (fn === 'divide' || fn === 'modulo') ? Math.trunc(r) : r;
  };

export function helperFuncs(): Record<string, TemplateFunc> {
  return {
    byKey: (pairs: unknown) => {
      const out: Record<string, Record<string, KeyPair>> = {};
      for (const p of list(pairs, 'byKey') as KeyPair[]) {
        const parts = p.Key.split('/');
        if (parts.length < 2) continue;
        const top = (parts[0] as string).trim();
        const rest = parts.slice(1).join('/');
        (out[top] ??= {})[rest] = { ...p, Key: rest };
      }
      return out;
    },
    byTag: (services: unknown) => groupBy(list(services, 'byTag') as Array<{ Tags?: string[] }>, (s) => [...new Set(s.Tags ?? [])]),
    byMeta: (key: unknown, services: unknown) => {
      const k = str(key, 'byMeta');
      return groupBy(list(services, 'byMeta') as Array<{ ServiceMeta?: Record<string, string> }>, (s) => [s.ServiceMeta?.[k] ?? '']);
    },
    contains: (needle: unknown, haystack: unknown) => within(haystack, needle, 'contains'),
    in: (haystack: unknown, needle: unknown) => within(haystack, needle, 'in'),
    containsAll: (needles: unknown, haystack: unknown) => list(needles, 'containsAll').every((n) => within(haystack, n, 'containsAll')),
    containsAny: (needles: unknown, haystack: unknown) => list(needles, 'containsAny').some((n) => within(haystack, n, 'containsAny')),
    containsNone: (needles: unknown, haystack: unknown) => !list(needles, 'containsNone').some((n) => within(haystack, n, 'containsNone')),
    containsNotAll: (needles: unknown, haystack: unknown) => !list(needles, 'containsNotAll').every((n) => within(haystack, n, 'containsNotAll')),
    explode: (pairs: unknown) => {
      const out: Rec = {};
      for (const p of list(pairs, 'explode') as KeyPair[]) explodeInto(out, p.Key, p.Value);
      return out;
    },
    explodeMap: (m: unknown) => {
      if (!isRecord(m)) throw new Error(`explodeMap: expected a map, got ${printValue(m)}`);
      const out: Rec = {};
      for (const [k, v] of Object.entries(m)) explodeInto(out, k, v);
      return out;
    },
    indent: (spaces: unknown, s: unknown) => {
      const n = num(spaces, 'indent');
      if (n < 0) throw new Error('indent: spaces must be at least 0');
      const pad = ' '.repeat(n);
      return str(s, 'indent')
        .split('\n')
        .map((line) => (line === '' ? line : pad + line))
        .join('\n');
    },
    join: (sep: unknown, items: unknown) =>
      list(items, 'join')
        .map((x) => str(x, 'join'))
        .join(str(sep, 'join')),
    split: (sep: unknown, s: unknown) => {
      const text = str(s, 'split');
      return text === '' ? [] : text.split(str(sep, 'split'));
    },
    loop: (...args: unknown[]) => {
      const nums = args.map((a) => num(a, 'loop'));
      const [from, to] = nums.length === 1 ? [0, nums[0] as number] : nums.length === 2 ? [nums[0] as number, nums[1] as number] : [NaN, NaN];
      if (Number.isNaN(from)) throw new Error(`loop: wrong number of args: want 1 or 2 got ${args.length}`);
      if (to - from > 1_000_000) throw new Error('loop: more than 1000000 iterations');
      const out: number[] = [];
      for (let i = from; i < to; i++) out.push(i);
      return out;
    },
    parseBool: (s: unknown) => {
      const t = str(s, 'parseBool');
      if (t === '') return false;
      if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(t)) return true;
      if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(t)) return false;
      throw new Error(`parseBool: strconv.ParseBool: parsing ${JSON.stringify(t)}: invalid syntax`);
    },
    parseFloat: (s: unknown) => {
      const t = str(s, 'parseFloat');
      if (t === '') return 0;
      const f = Number(t);
      if (Number.isNaN(f) && t !== 'NaN') throw new Error(`parseFloat: strconv.ParseFloat: parsing ${JSON.stringify(t)}: invalid syntax`);
      return f;
    },
    parseInt: (s: unknown) => (str(s, 'parseInt') === '' ? 0 : parseIntGo(str(s, 'parseInt'), 'parseInt', false)),
    parseUint: (s: unknown) => (str(s, 'parseUint') === '' ? 0 : parseIntGo(str(s, 'parseUint'), 'parseUint', true)),
    parseJSON: (s: unknown) => {
      const t = str(s, 'parseJSON');
      if (t === '') return {};
      try {
        return JSON.parse(t) as unknown;
      } catch (err) {
        throw new Error(`parseJSON: ${(err as Error).message}`);
      }
    },
    parseYAML: (s: unknown) => {
      const t = str(s, 'parseYAML');
      if (t === '') return {};
      try {
        return parseYaml(t) as unknown;
      } catch (err) {
        throw new Error(`parseYAML: ${(err as Error).message}`);
      }
    },
    regexMatch: (re: unknown, s: unknown) => new RegExp(str(re, 'regexMatch')).test(str(s, 'regexMatch')),
    regexReplaceAll: (re: unknown, repl: unknown, s: unknown) =>
      str(s, 'regexReplaceAll').replace(new RegExp(str(re, 'regexReplaceAll'), 'g'), str(repl, 'regexReplaceAll').replace(/\$\{(\w+)\}/g, '$$<$1>')),
    replaceAll: (from: unknown, to: unknown, s: unknown) => str(s, 'replaceAll').split(str(from, 'replaceAll')).join(str(to, 'replaceAll')),
    sha256Hex: (s: unknown) => createHash('sha256').update(str(s, 'sha256Hex')).digest('hex'),
    md5sum: (s: unknown) => createHash('md5').update(str(s, 'md5sum')).digest('hex'),
    base64Encode: (s: unknown) => Buffer.from(str(s, 'base64Encode')).toString('base64'),
    base64Decode: (s: unknown) => {
      const t = str(s, 'base64Decode');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0) throw new Error('base64Decode: illegal base64 data');
      return Buffer.from(t, 'base64').toString('utf8');
    },
    base64URLEncode: (s: unknown) =>
      Buffer.from(str(s, 'base64URLEncode'))
        .toString('base64url')
        .padEnd(Math.ceil(Buffer.byteLength(str(s, 'base64URLEncode')) / 3) * 4, '='),
    base64URLDecode: (s: unknown) => Buffer.from(str(s, 'base64URLDecode'), 'base64url').toString('utf8'),
    timestamp: (...args: unknown[]) => {
      const now = new Date();
      if (args.length === 0) return formatGoTime(now, '2006-01-02T15:04:05Z07:00');
      return formatGoTime(now, str(args[0], 'timestamp'));
    },
    toJSON: (v: unknown) => goJson(v),
    toJSONPretty: (v: unknown) => goJson(v, 2),
    toLower: (s: unknown) => str(s, 'toLower').toLowerCase(),
    toUpper: (s: unknown) => str(s, 'toUpper').toUpperCase(),
    toTitle: (s: unknown) => title(str(s, 'toTitle')),
    trimSpace: (s: unknown) => str(s, 'trimSpace').trim(),
    trim: (cutset: unknown, s: unknown) => {
      const cut = new Set(str(cutset, 'trim'));
      const chars = [...str(s, 'trim')];
      let a = 0;
      let b = chars.length;
      while (a < b && cut.has(chars[a] as string)) a++;
      while (b > a && cut.has(chars[b - 1] as string)) b--;
      return chars.slice(a, b).join('');
    },
    trimPrefix: (prefix: unknown, s: unknown) => {
      const p = str(prefix, 'trimPrefix');
      const t = str(s, 'trimPrefix');
      return p !== '' && t.startsWith(p) ? t.slice(p.length) : t;
    },
    trimSuffix: (suffix: unknown, s: unknown) => {
      const p = str(suffix, 'trimSuffix');
      const t = str(s, 'trimSuffix');
      return p !== '' && t.endsWith(p) ? t.slice(0, -p.length) : t;
    },
    add: mathOp('add', (a, b) => a + b),
    subtract: mathOp('subtract', (a, b) => a - b),
    multiply: mathOp('multiply', (a, b) => a * b),
    divide: mathOp('divide', (a, b) => a / b),
    modulo: mathOp('modulo', (a, b) => a % b),
    minimum: mathOp('minimum', (a, b) => Math.min(a, b)),
    maximum: mathOp('maximum', (a, b) => Math.max(a, b)),
    sockaddr: () => {
      throw new Error('sockaddr templates are not supported');
    },
    plugin: () => {
      throw new Error('plugins are not supported');
    },
  };
}
