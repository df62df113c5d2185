/**
 * The subset of Go's text/template that registrator's `-tags` flag is used
 * with: `{{ pipeline }}` actions over the container-inspect object, field
 * chains (`.Config.Labels`, matched case-insensitively so `.ID` finds `Id`),
 * string/number/bool literals, parentheses, `|` pipes, `{{-`/`-}}` trimming,
 * the builtins `index len print printf eq ne not and or`, and registrator's
 * helpers `strSlice sIndex mIndex toUpper toLower replace join split
 * splitIndex matchFirstElement matchAllElements httpGet jsonParse`.
 * Control structures (`if`, `range`, `with`, variables) are not supported and
 * are rejected when the template is compiled.
 */

export class TemplateError extends Error {
  readonly code = 'TEMPLATE';
}

type Value = unknown;
type Func = (...args: Value[]) => Value | Promise<Value>;

type Node =
  | { readonly t: 'field'; readonly path: readonly string[] }
  | { readonly t: 'lit'; readonly value: Value }
  | { readonly t: 'fn'; readonly name: string }
  | { readonly t: 'pipe'; readonly commands: ReadonlyArray<readonly Node[]> };

type Part = string | Node;

export interface CompiledTemplate {
  readonly source: string;
  render(data: Value): Promise<string>;
}

export function compileTemplate(source: string, fetchText: (url: string) => Promise<string> = defaultFetch): CompiledTemplate {
  const parts = parseTemplate(source);
  const funcs = templateFuncs(fetchText);
  for (const part of parts) if (typeof part !== 'string') checkFunctions(part, funcs);
  return {
    source,
    async render(data) {
      let out = '';
      for (const part of parts) out += typeof part === 'string' ? part : format(await evaluate(part, data, funcs));
      return out;
    },
  };
}

function parseTemplate(source: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open === -1) {
      parts.push(source.slice(i));
      break;
    }
    let text = source.slice(i, open);
    let start = open + 2;
    if (source[start] === '-' && /\s/.test(source[start + 1] ?? '')) {
      text = text.trimEnd();
      start++;
    }
    if (text !== '') parts.push(text);
    const close = findClose(source, start);
    let end = close;
    let trimAfter = false;
    if (source[close - 1] === '-' && /\s/.test(source[close - 2] ?? '')) {
      end = close - 1;
      trimAfter = true;
    }
    parts.push(parseAction(source.slice(start, end)));
    i = close + 2;
    if (trimAfter) while (i < source.length && /\s/.test(source[i] as string)) i++;
  }
  return parts;
}

function findClose(source: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < source.length - 1; i++) {
    const ch = source[i] as string;
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === '`') {
      quote = ch;
    } else if (ch === '}' && source[i + 1] === '}') {
      return i;
    }
  }
  throw new TemplateError(`unclosed action in template "${source}"`);
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

type Token = { readonly k: 'field'; readonly path: string[] } | { readonly k: 'lit'; readonly v: Value } | { readonly k: 'id'; readonly v: string } | { readonly k: '(' | ')' | '|' };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')' || ch === '|') {
      tokens.push({ k: ch });
      i++;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw new TemplateError(`unterminated string in "${src}"`);
      tokens.push({ k: 'lit', v: JSON.parse(src.slice(i, j + 1)) as string });
      i = j + 1;
    } else if (ch === '`') {
      const j = src.indexOf('`', i + 1);
      if (j === -1) throw new TemplateError(`unterminated raw string in "${src}"`);
      tokens.push({ k: 'lit', v: src.slice(i + 1, j) });
      i = j + 1;
    } else if (ch === '.') {
      const m = /^\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)?/.exec(src.slice(i)) as RegExpExecArray;
      tokens.push({ k: 'field', path: m[1] ? m[1].split('.') : [] });
      i += m[0].length;
    } else if (/[-+0-9]/.test(ch)) {
      const m = /^[-+]?\d+(\.\d+)?/.exec(src.slice(i));
      if (!m) throw new TemplateError(`bad number in "${src}"`);
      tokens.push({ k: 'lit', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i)) as RegExpExecArray;
      const word = m[0];
      if (KEYWORDS.has(word)) throw new TemplateError(`"${word}" is not supported in -tags templates`);
      if (word === 'true' || word === 'false') tokens.push({ k: 'lit', v: word === 'true' });
      else if (word === 'nil') tokens.push({ k: 'lit', v: undefined });
      else tokens.push({ k: 'id', v: word });
      i += word.length;
    } else {
      throw new TemplateError(`unexpected "${ch}" in "${src}"`);
    }
  }
  return tokens;
}

function parseAction(src: string): Node {
  if (/^\s*\/\*/.test(src)) return { t: 'lit', value: '' };
  const tokens = tokenize(src);
  let pos = 0;
  const pipeline = (): Node => {
    const commands: Node[][] = [];
    let command: Node[] = [];
    while (pos < tokens.length) {
      const tok = tokens[pos] as Token;
      if (tok.k === ')') break;
      pos++;
      if (tok.k === '|') {
        if (command.length === 0) throw new TemplateError(`missing command before "|" in "${src}"`);
        commands.push(command);
        command = [];
      } else if (tok.k === '(') {
        command.push(pipeline());
        if ((tokens[pos] as Token | undefined)?.k !== ')') throw new TemplateError(`unclosed "(" in "${src}"`);
        pos++;
      } else if (tok.k === 'field') {
        command.push({ t: 'field', path: tok.path });
      } else if (tok.k === 'lit') {
        command.push({ t: 'lit', value: tok.v });
      } else if (tok.k === 'id') {
        command.push({ t: 'fn', name: tok.v });
      }
    }
    if (command.length === 0) throw new TemplateError(`empty command in "${src}"`);
    commands.push(command);
    return { t: 'pipe', commands };
  };
  const node = pipeline();
  if (pos !== tokens.length) throw new TemplateError(`unexpected ")" in "${src}"`);
  return node;
}

function checkFunctions(node: Node, funcs: ReadonlyMap<string, Func>): void {
  if (node.t === 'fn' && !funcs.has(node.name)) throw new TemplateError(`function "${node.name}" not defined`);
  if (node.t === 'pipe') for (const c of node.commands) for (const n of c) checkFunctions(n, funcs);
}

async function evaluate(node: Node, data: Value, funcs: ReadonlyMap<string, Func>): Promise<Value> {
  switch (node.t) {
    case 'lit':
      return node.value;
    case 'field':
      return lookup(data, node.path);
    case 'fn':
      return call(node.name, [], funcs);
    case 'pipe': {
      let piped: Value[] = [];
      for (const command of node.commands) {
        const [head, ...rest] = command as [Node, ...Node[]];
        const args = [...(await Promise.all(rest.map((n) => evaluate(n, data, funcs)))), ...piped];
        let value: Value;
        if (head.t === 'fn') value = await call(head.name, args, funcs);
        else if (args.length > 0) throw new TemplateError('only functions take arguments');
        else value = await evaluate(head, data, funcs);
        piped = [value];
      }
      return piped[0];
    }
  }
}

async function call(name: string, args: Value[], funcs: ReadonlyMap<string, Func>): Promise<Value> {
  const fn = funcs.get(name) as Func;
  try {
    return await fn(...args);
  } catch (err) {
    if (err instanceof TemplateError) throw err;
    throw new TemplateError(`error calling ${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function lookup(data: Value, path: readonly string[]): Value {
  let cur = data;
  for (const name of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const obj = cur as Record<string, Value>;
    if (name in obj) {
      cur = obj[name];
      continue;
    }
    const lower = name.toLowerCase();
    const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
    cur = key === undefined ? undefined : obj[key];
  }
  return cur;
}

/** Prints a value the way Go's fmt `%v` would for the types found in inspect data. */
function format(value: Value): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(format).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, Value>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, v]) => `${k}:${format(v)}`).join(' ')}]`;
  }
  return String(value);
}

const str = (v: Value, what: string): string => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new TemplateError(`${what} expects a string, got ${format(v)}`);
};
const int = (v: Value, what: string): number => {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new TemplateError(`${what} expects an integer, got ${format(v)}`);
};
const strings = (v: Value, what: string): string[] => {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x) => str(x, what));
  throw new TemplateError(`${what} expects a list, got ${format(v)}`);
};
/** Go's negative-index rule shared by sIndex and splitIndex. */
const pick = (list: readonly string[], i: number): string => {
  if (list.length === 0) return '';
  if (i < 0) return -i >= list.length ? (list[0] as string) : (list[list.length + i] as string);
  return i >= list.length ? (list[list.length - 1] as string) : (list[i] as string);
};

async function defaultFetch(url: string): Promise<string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return await res.text();
  } catch {
    return '';
  }
}

function templateFuncs(fetchText: (url: string) => Promise<string>): ReadonlyMap<string, Func> {
  return new Map<string, Func>([
    ['strSlice', (v, ...idx) => {
      const s = str(v, 'strSlice');
      const [a, b] = idx.map((x) => int(x, 'strSlice'));
      if (a !== undefined && b === undefined) return s.length >= a ? s.slice(a) : s;
      if (a !== undefined && b !== undefined && s.length >= a && s.length >= b) return b < a ? s.slice(a) : s.slice(a, b);
      return s;
    }],
    ['sIndex', (i, s) => pick(strings(s, 'sIndex'), int(i, 'sIndex'))],
    ['mIndex', (k, m) => {
      const key = str(k, 'mIndex');
      return m !== null && typeof m === 'object' ? ((m as Record<string, Value>)[key] ?? '') : '';
    }],
    ['toUpper', (v) => str(v, 'toUpper').toUpperCase()],
    ['toLower', (v) => str(v, 'toLower').toLowerCase()],
    ['replace', (n, oldS, newS, v) => {
      let count = int(n, 'replace');
      const s = str(v, 'replace');
      const o = str(oldS, 'replace');
      const r = str(newS, 'replace');
      if (count < 0) return s.split(o).join(r);
      let out = s;
      let from = 0;
      while (count-- > 0) {
        const at = out.indexOf(o, from);
        if (at === -1) break;
        out = out.slice(0, at) + r + out.slice(at + o.length);
        from = at + r.length;
      }
      return out;
    }],
    ['join', (sep, s) => strings(s, 'join').join(str(sep, 'join'))],
    ['split', (sep, v) => str(v, 'split').split(str(sep, 'split'))],
    ['splitIndex', (i, sep, v) => pick(str(v, 'splitIndex').split(str(sep, 'splitIndex')), int(i, 'splitIndex'))],
    ['matchFirstElement', (r, s) => strings(s, 'matchFirstElement').find((e) => new RegExp(str(r, 'matchFirstElement')).test(e)) ?? ''],
    ['matchAllElements', (r, s) => strings(s, 'matchAllElements').filter((e) => new RegExp(str(r, 'matchAllElements')).test(e))],
    ['httpGet', (url) => fetchText(str(url, 'httpGet'))],
    ['jsonParse', (b, k) => {
      let cur: Value;
      try {
        cur = JSON.parse(str(b, 'jsonParse')) as Value;
      } catch {
        return '';
      }
      for (const key of str(k, 'jsonParse').split('::')) {
        if (cur === null || typeof cur !== 'object') return '';
        cur = (cur as Record<string, Value>)[key];
      }
      return typeof cur === 'string' ? cur : cur === undefined ? '' : JSON.stringify(cur);
    }],
    ['index', (m, ...keys) => {
      let cur = m;
      for (const key of keys) {
        if (cur === null || typeof cur !== 'object') return undefined;
        cur = (cur as Record<string, Value>)[String(key)];
      }
      return cur;
    }],
    ['len', (v) => (typeof v === 'string' || Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0)],
    ['print', (...args) => args.map(format).join('')],
    ['printf', (f, ...args) => {
      let n = 0;
      return str(f, 'printf').replace(/%[sdvq%]/g, (spec) => (spec === '%%' ? '%' : spec === '%q' ? JSON.stringify(format(args[n++])) : format(args[n++])));
    }],
    ['eq', (a, ...bs) => bs.some((b) => a === b)],
    ['ne', (a, b) => a !== b],
    ['not', (a) => !truthy(a)],
    ['and', (...args) => args.find((a) => !truthy(a)) ?? args[args.length - 1]],
    ['or', (...args) => args.find((a) => truthy(a)) ?? args[args.length - 1]],
  ]);
}

function truthy(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}
