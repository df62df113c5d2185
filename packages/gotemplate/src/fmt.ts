/**
 * Go's fmt printing for the values templates handle: Sprint, Sprintln and
 * Sprintf with flags, width, precision, `*`, and the verbs
 * v +v #v T t d b o O x X c q U e E f F g G s p %, including Go's
 * `%!verb(type=value)`, `%!v(MISSING)` and `%!(EXTRA ...)` markers.
 */
import { goQuote } from './lex.js';
import { isPlainObject, kindOf, mapEntries, structFields, typeName } from './values.js';

interface Spec {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

const NO_FLAGS: Spec = { plus: false, minus: false, sharp: false, space: false, zero: false, width: undefined, prec: undefined };

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(arg, 'v', NO_FLAGS, 0);
  });
  return out;
}

/** fmt.Sprintln: always spaces between operands, and a newline. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map((a) => formatValue(a, 'v', NO_FLAGS, 0)).join(' ')}\n`;
}

/** fmt's %v of one value. */
export function printValue(v: unknown): string {
  // Fast paths for what templates print most: strings and ints.
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 2 ** 63) return String(v);
  return formatValue(v, 'v', NO_FLAGS, 0);
}

export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argNum = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct === -1) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { ...NO_FLAGS };
    flags: for (; i < format.length; i++) {
      switch (format[i]) {
        case '+':
          spec.plus = true;
          break;
        case '-':
          spec.minus = true;
          spec.zero = false;
          break;
        case '#':
          spec.sharp = true;
          break;
        case ' ':
          spec.space = true;
          break;
        case '0':
          spec.zero = !spec.minus;
          break;
        default:
          break flags;
      }
    }
    const readNum = (): number | undefined => {
      if (format[i] === '*') {
        i++;
        const a = args[argNum++];
        if (typeof a === 'number' && Number.isInteger(a)) return a;
        out += '%!(BADWIDTH)';
        return undefined;
      }
      const m = /^\d+/.exec(format.slice(i));
      if (!m) return undefined;
      i += m[0].length;
      return Number(m[0]);
    };
    spec.width = readNum();
    if (spec.width !== undefined && spec.width < 0) {
      spec.minus = true;
      spec.zero = false;
      spec.width = -spec.width;
    }
    if (format[i] === '.') {
      i++;
      spec.prec = readNum() ?? 0;
      if (spec.prec < 0) spec.prec = undefined;
    }
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatValue(args[argNum++], verb, spec, 0);
  }
  if (argNum < args.length) {
    out += `%!(EXTRA ${args
      .slice(argNum)
      .map((a) => `${typeName(a)}=${formatValue(a, 'v', NO_FLAGS, 0)}`)
      .join(', ')})`;
  }
  return out;
}

const pad = (s: string, spec: Spec, zeroOk = false): string => {
  if (spec.width === undefined || [...s].length >= spec.width) return s;
  const n = spec.width - [...s].length;
  if (spec.minus) return s + ' '.repeat(n);
  if (spec.zero && zeroOk) {
    const sign = /^[+\- ]/.test(s) ? (s[0] as string) : '';
    return sign + '0'.repeat(n) + s.slice(sign.length);
  }
  return ' '.repeat(n) + s;
};

const badVerb = (v: unknown, verb: string): string => {
  if (v === undefined || v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatValue(v, 'v', NO_FLAGS, 0)})`;
};

function formatValue(v: unknown, verb: string, spec: Spec, depth: number): string {
  if (verb === 'T') return pad(typeName(v), spec);
  if (verb === 'p') return badVerb(v, verb);
  if (depth > 100) return '...';
  const kind = kindOf(v);
  if (kind === 'invalid' || kind === 'nil') {
    if (verb === 'v' || verb === 's') return pad('<nil>', spec);
    return badVerb(v, verb);
  }
  if (kind === 'struct' && !spec.sharp) {
    if (v instanceof Error && 'vsqxX'.includes(verb)) return formatString(v.message, verb, spec);
    const stringer = (v as { toString?: unknown }).toString;
    if (typeof stringer === 'function' && stringer !== Object.prototype.toString && 'vsqxX'.includes(verb)) return formatString(String(v), verb, spec);
  }
  switch (kind) {
    case 'bool':
      if (verb === 'v' || verb === 't') return pad(String(v), spec);
      return badVerb(v, verb);
    case 'int':
      return formatInt(typeof v === 'bigint' ? v : BigInt(v as number), verb, spec, v);
    case 'float':
      return formatFloat(v as number, verb, spec);
    case 'string':
      return formatString(v as string, verb, spec);
    case 'func':
      return verb === 'v' ? pad('0xc000000000', spec) : badVerb(v, verb);
    case 'slice': {
      const list = Array.from(v as ArrayLike<unknown>);
      if (spec.sharp && verb === 'v') return `${typeName(v)}{${list.map((e) => formatValue(e, 'v', spec, depth + 1)).join(', ')}}`;
      if (v instanceof Uint8Array && 'sqxX'.includes(verb)) return formatString(Buffer.from(v).toString('latin1'), verb, spec);
      return `[${list.map((e) => formatValue(e, verb, spec, depth + 1)).join(' ')}]`;
    }
    case 'map': {
      const entries = mapEntries(v);
      if (spec.sharp && verb === 'v')
        return `${typeName(v)}{${entries.map(([k, e]) => `${formatValue(k, 'v', spec, depth + 1)}:${formatValue(e, 'v', spec, depth + 1)}`).join(', ')}}`;
      return `map[${entries.map(([k, e]) => `${formatValue(k, verb, spec, depth + 1)}:${formatValue(e, verb, spec, depth + 1)}`).join(' ')}]`;
    }
    case 'struct': {
      const fields = structFields(v as object);
      if (spec.sharp && verb === 'v') return `${typeName(v).replace(/^\*/, '&')}{${fields.map(([k, e]) => `${k}:${formatValue(e, 'v', spec, depth + 1)}`).join(', ')}}`;
      const prefix = depth === 0 && !isPlainObject(v) && typeName(v).startsWith('*') ? '&' : '';
      return `${prefix}{${fields.map(([k, e]) => (spec.plus ? `${k}:` : '') + formatValue(e, verb, spec, depth + 1)).join(' ')}}`;
    }
  }
  return badVerb(v, verb);
}

function formatString(s: string, verb: string, spec: Spec): string {
  switch (verb) {
    case 'v':
    case 's': {
      if (spec.sharp && verb === 'v') return pad(goQuote(s), spec);
      const t = spec.prec !== undefined ? [...s].slice(0, spec.prec).join('') : s;
      return pad(t, spec);
    }
    case 'q': {
      const t = spec.prec !== undefined ? [...s].slice(0, spec.prec).join('') : s;
      // biome-ignore lint/suspicious/noControlCharactersInRegex: Go's %#s falls back to quoting when the text holds a control character
      if (spec.sharp && !t.includes('`') && !/[\x00-\x08\x0b-\x1f\x7f]/.test(t)) return pad(`\`${t}\``, spec);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is all of ASCII; %+q escapes everything outside it
      return pad(spec.plus ? goQuote(t).replace(/[^\x00-\x7f]/gu, (c) => asciiEscape(c)) : goQuote(t), spec);
    }
    case 'x':
    case 'X': {
      let bytes = Buffer.from(s, 'utf8');
      if (spec.prec !== undefined) bytes = bytes.subarray(0, spec.prec);
      let hex = [...bytes].map((b) => b.toString(16).padStart(2, '0'));
      if (verb === 'X') hex = hex.map((h) => h.toUpperCase());
      const prefix = spec.sharp ? (verb === 'x' ? '0x' : '0X') : '';
      const joined = spec.space ? hex.map((h) => prefix + h).join(' ') : prefix + hex.join('');
      return pad(joined, spec);
    }
    default:
      return badVerb(s, verb);
  }
}

function asciiEscape(c: string): string {
  const cp = c.codePointAt(0) as number;
  return cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

function formatInt(n: bigint, verb: string, spec: Spec, original: unknown): string {
  const neg = n < 0n;
  const abs = neg ? -n : n;
  let digits: string;
  let prefix = '';
  switch (verb) {
    case 'v':
    case 'd':
      digits = abs.toString(10);
      break;
    case 'b':
      digits = abs.toString(2);
      if (spec.sharp) prefix = '0b';
      break;
    case 'o':
      digits = abs.toString(8);
      if (spec.sharp) prefix = '0';
      break;
    case 'O':
      digits = abs.toString(8);
      prefix = '0o';
      break;
    case 'x':
      digits = abs.toString(16);
      if (spec.sharp) prefix = '0x';
      break;
    case 'X':
      digits = abs.toString(16).toUpperCase();
      if (spec.sharp) prefix = '0X';
      break;
    case 'c':
      return pad(String.fromCodePoint(Number(n)), spec);
    case 'q': {
      const ch = String.fromCodePoint(Number(n));
      return pad(ch === "'" ? "'\\''" : `'${goQuote(ch).slice(1, -1).replace(/\\"/g, '"')}'`, spec);
    }
    case 'U': {
      const hex = abs.toString(16).toUpperCase().padStart(4, '0');
      return pad(spec.sharp ? `U+${hex} '${String.fromCodePoint(Number(n))}'` : `U+${hex}`, spec);
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      // Lenient where Go is strict: an integral number may have been a float.
      return formatFloat(Number(n), verb, spec);
    default:
      return badVerb(original, verb);
  }
  if (spec.prec !== undefined) {
    if (spec.prec === 0 && abs === 0n) digits = '';
    digits = digits.padStart(spec.prec, '0');
  }
  const sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  if (spec.zero && !spec.minus && spec.prec === undefined && spec.width !== undefined) {
    const width = spec.width - sign.length - prefix.length;
    digits = digits.padStart(width, '0');
  }
  return pad(sign + prefix + digits, spec);
}

/** The exact decimal expansion of a positive finite double: digits (no trailing zeros) and decimal point position. */
function exactDecimal(f: number): { digs: string; dp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, f);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const mant = biased === 0 ? frac : frac | (1n << 52n);
  const exp = (biased === 0 ? 1 : biased) - 1075;
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    dp = digits.length + exp;
  }
  const trimmed = digits.replace(/0+$/, '');
  return { digs: trimmed, dp };
}

/** Rounds exact digits to `n` significant digits, ties to even (as strconv does). */
function roundDigits(digs: string, dp: number, n: number): { digs: string; dp: number } {
  if (n < 0) return { digs: '', dp };
  if (digs.length <= n) return { digs, dp };
  const next = digs[n] as string;
  const rest = digs.slice(n + 1);
  let kept = digs.slice(0, n);
  const last = n > 0 ? Number(kept[n - 1]) : 0;
  const up = next > '5' || (next === '5' && (/[1-9]/.test(rest) || last % 2 === 1));
  if (!up) return { digs: kept.replace(/0+$/, ''), dp };
  let i = kept.length - 1;
  while (i >= 0 && kept[i] === '9') i--;
  if (i < 0) return { digs: '1', dp: dp + 1 };
  kept = kept.slice(0, i) + String(Number(kept[i]) + 1);
  return { digs: kept, dp };
}

/** Shortest (or `sig`-significant-digit) decimal digits and decimal point position of |f| > 0. */
function decimalDigits(f: number, sig: number | undefined): { digs: string; dp: number } {
  if (f === 0) return { digs: '', dp: 0 };
  if (sig === undefined) {
    const [mant, exp] = f.toExponential().split('e') as [string, string];
    return { digs: mant.replace('.', '').replace(/0+$/, ''), dp: Number(exp) + 1 };
  }
  const exact = exactDecimal(f);
  return roundDigits(exact.digs, exact.dp, sig);
}

function fmtE(digs: string, dp: number, prec: number, e: string): string {
  let s = digs[0] ?? '0';
  if (prec > 0) s += `.${(digs.slice(1) + '0'.repeat(prec)).slice(0, prec)}`;
  const exp = digs === '' ? 0 : dp - 1;
  const ae = Math.abs(exp);
  return `${s}${e}${exp < 0 ? '-' : '+'}${ae < 10 ? `0${ae}` : ae}`;
}

function fmtF(digs: string, dp: number, prec: number): string {
  let s = dp > 0 ? (digs + '0'.repeat(Math.max(dp - digs.length, 0))).slice(0, dp) : '0';
  if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) {
      const j = dp + i;
      s += j >= 0 && j < digs.length ? digs[j] : '0';
    }
  }
  return s;
}

function formatFloat(f: number, verb: string, spec: Spec): string {
  let body: string;
  if (!Number.isFinite(f)) {
    body = Number.isNaN(f) ? 'NaN' : f > 0 ? (spec.plus ? '+Inf' : 'Inf') : '-Inf';
    return pad(body, { ...spec, zero: false });
  }
  const neg = f < 0 || Object.is(f, -0);
  const a = Math.abs(f);
  switch (verb) {
    case 'v':
    case 'g':
    case 'G': {
      const shortest = spec.prec === undefined;
      let prec = shortest ? -1 : spec.prec === 0 ? 1 : (spec.prec as number);
      const { digs, dp } = decimalDigits(a, shortest ? undefined : prec);
      const nd = digs.length;
      if (shortest) prec = nd;
      let eprec = prec;
      if (eprec > nd && nd >= dp) eprec = nd;
      if (shortest) eprec = 6;
      const exp = dp - 1;
      const e = verb === 'G' ? 'E' : 'e';
      if (nd > 0 && (exp < -4 || exp >= eprec)) {
        body = fmtE(digs, dp, Math.min(prec, nd) - 1, e);
      } else {
        body = fmtF(digs, dp, Math.max((prec > dp ? nd : prec) - dp, 0));
      }
      if (spec.sharp && !body.includes('.')) body = body.replace(/^(\d+)/, '$1.');
      break;
    }
    case 'e':
    case 'E': {
      const prec = spec.prec ?? 6;
      const { digs, dp } = decimalDigits(a, prec + 1);
      body = fmtE(digs, dp, prec, verb);
      break;
    }
    case 'f':
    case 'F': {
      const prec = spec.prec ?? 6;
      const exact = a === 0 ? { digs: '', dp: 0 } : exactDecimal(a);
      const { digs, dp } = roundDigits(exact.digs, exact.dp, exact.dp + prec);
      body = fmtF(digs, dp, prec);
      break;
    }
    default:
      return badVerb(f, verb);
  }
  const sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return pad(sign + body, spec, true);
}
