/**
 * The subset of go-bexpr that Consul's `?filter=` uses:
 *   Sel == "v", Sel != "v", Sel is empty, Sel is not empty, "v" in Sel, "v" not in Sel,
 *   Sel contains "v", Sel not contains "v", Sel matches "re", Sel not matches "re",
 * combined with and / or / not and parentheses. Selectors are dot paths (`Service.Meta.env`)
 * with optional bracket indexes (`NodeMeta["k-1"]`). Strings in double quotes or backticks.
 * `matches` uses RE2 syntax and linear-time matching, as Go's regexp does, so no pattern can
 * stall the agent with backtracking.
 */
import { RE2JS } from 're2js';

type Selector = string[];

type Expr = { kind: 'and' | 'or'; left: Expr; right: Expr } | { kind: 'not'; expr: Expr } | { kind: 'match'; op: MatchOp; selector: Selector; value?: string; re?: RE2JS };

type MatchOp = 'eq' | 'ne' | 'empty' | 'notEmpty' | 'in' | 'notIn' | 'matches' | 'notMatches';

export class FilterError extends Error {
  readonly code = 'AGENT_FILTER';
}

type Token = { t: 'ident'; v: string } | { t: 'string'; v: string } | { t: 'number'; v: string } | { t: 'op'; v: '==' | '!=' | '(' | ')' | '[' | ']' | '.' };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let v = '';
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\\' && i + 1 < src.length) {
          const n = src[i + 1] as string;
          v += n === 'n' ? '\n' : n === 't' ? '\t' : n;
          i += 2;
        } else v += src[i++];
      }
      if (i >= src.length) throw new FilterError('unterminated string');
      i++;
      out.push({ t: 'string', v });
    } else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end === -1) throw new FilterError('unterminated raw string');
      out.push({ t: 'string', v: src.slice(i + 1, end) });
      i = end + 1;
    } else if (src.startsWith('==', i) || src.startsWith('!=', i)) {
      out.push({ t: 'op', v: src.slice(i, i + 2) as '==' | '!=' });
      i += 2;
    } else if ('()[].'.includes(c)) {
      out.push({ t: 'op', v: c as '(' | ')' | '[' | ']' | '.' });
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_\-/]/.test(src[j] as string)) j++;
      out.push({ t: 'ident', v: src.slice(i, j) });
      i = j;
    } else if (/[0-9-]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[0-9.]/.test(src[j] as string)) j++;
      out.push({ t: 'number', v: src.slice(i, j) });
      i = j;
    } else {
      throw new FilterError(`unexpected character ${JSON.stringify(c)} at ${i}`);
    }
  }
  return out;
}

class Parser {
  #pos = 0;
  constructor(readonly tokens: Token[]) {}

  #peek(): Token | undefined {
    return this.tokens[this.#pos];
  }

  #isWord(word: string, offset = 0): boolean {
    const t = this.tokens[this.#pos + offset];
    return t?.t === 'ident' && t.v.toLowerCase() === word;
  }

  #expectWord(word: string): void {
    if (!this.#isWord(word)) throw new FilterError(`expected "${word}"`);
    this.#pos++;
  }

  parse(): Expr {
    const e = this.#or();
    if (this.#pos < this.tokens.length) throw new FilterError(`unexpected token ${JSON.stringify(this.#peek()?.v)}`);
    return e;
  }

  #or(): Expr {
    let left = this.#and();
    while (this.#isWord('or')) {
      this.#pos++;
      left = { kind: 'or', left, right: this.#and() };
    }
    return left;
  }

  #and(): Expr {
    let left = this.#unary();
    while (this.#isWord('and')) {
      this.#pos++;
      left = { kind: 'and', left, right: this.#unary() };
    }
    return left;
  }

  #unary(): Expr {
    if (this.#isWord('not')) {
      this.#pos++;
      return { kind: 'not', expr: this.#unary() };
    }
    const t = this.#peek();
    if (t?.t === 'op' && t.v === '(') {
      this.#pos++;
      const e = this.#or();
      const close = this.#peek();
      if (close?.t !== 'op' || close.v !== ')') throw new FilterError('expected ")"');
      this.#pos++;
      return e;
    }
    return this.#match();
  }

  #value(): string {
    const t = this.#peek();
    if (t && (t.t === 'string' || t.t === 'number' || (t.t === 'ident' && !['and', 'or', 'not'].includes(t.v)))) {
      this.#pos++;
      return t.v;
    }
    throw new FilterError('expected a value');
  }

  #match(): Expr {
    const t = this.#peek();
    if (t?.t === 'string' || t?.t === 'number') {
      // "v" in Sel / "v" not in Sel
      const value = this.#value();
      let op: MatchOp = 'in';
      if (this.#isWord('not')) {
        this.#pos++;
        op = 'notIn';
      }
      this.#expectWord('in');
      return { kind: 'match', op, selector: this.#selector(), value };
    }
    const selector = this.#selector();
    const next = this.#peek();
    if (next?.t === 'op' && (next.v === '==' || next.v === '!=')) {
      this.#pos++;
      return { kind: 'match', op: next.v === '==' ? 'eq' : 'ne', selector, value: this.#value() };
    }
    if (this.#isWord('is')) {
      this.#pos++;
      if (this.#isWord('not')) {
        this.#pos++;
        this.#expectWord('empty');
        return { kind: 'match', op: 'notEmpty', selector };
      }
      this.#expectWord('empty');
      return { kind: 'match', op: 'empty', selector };
    }
    let negate = false;
    if (this.#isWord('not')) {
      this.#pos++;
      negate = true;
    }
    if (this.#isWord('contains')) {
      this.#pos++;
      return { kind: 'match', op: negate ? 'notIn' : 'in', selector, value: this.#value() };
    }
    if (this.#isWord('matches')) {
      this.#pos++;
      const value = this.#value();
      let re: RE2JS;
      try {
        re = RE2JS.compile(value);
      } catch (err) {
        throw new FilterError(`invalid regular expression ${JSON.stringify(value)}: ${(err as Error).message}`);
      }
      return { kind: 'match', op: negate ? 'notMatches' : 'matches', selector, value, re };
    }
    throw new FilterError('expected a match operator');
  }

  #selector(): Selector {
    const first = this.#peek();
    if (first?.t !== 'ident') throw new FilterError('expected a selector');
    this.#pos++;
    const parts = [first.v];
    for (;;) {
      const t = this.#peek();
      if (t?.t === 'op' && t.v === '.') {
        this.#pos++;
        const id = this.#peek();
        if (id?.t !== 'ident' && id?.t !== 'number') throw new FilterError('expected a field name after "."');
        this.#pos++;
        parts.push(id.v);
      } else if (t?.t === 'op' && t.v === '[') {
        this.#pos++;
        const key = this.#peek();
        if (key?.t !== 'string') throw new FilterError('expected a string index');
        this.#pos++;
        const close = this.#peek();
        if (close?.t !== 'op' || close.v !== ']') throw new FilterError('expected "]"');
        this.#pos++;
        parts.push(key.v);
      } else return parts;
    }
  }
}

function resolve(value: unknown, selector: Selector): unknown {
  let cur: unknown = value;
  for (const part of selector) {
    if (Array.isArray(cur)) {
      // A selector through a list collects the field of every element (Checks.Status).
      cur = cur.map((x) => resolve(x, [part]));
      continue;
    }
    if (typeof cur !== 'object' || cur === null) return undefined;
    const obj = cur as Record<string, unknown>;
    if (part in obj) cur = obj[part];
    else {
      const k = Object.keys(obj).find((x) => x.toLowerCase() === part.toLowerCase());
      cur = k === undefined ? undefined : obj[k];
    }
  }
  return cur;
}

function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  return String(v);
}

function evaluate(e: Expr, item: unknown): boolean {
  switch (e.kind) {
    case 'and':
      return evaluate(e.left, item) && evaluate(e.right, item);
    case 'or':
      return evaluate(e.left, item) || evaluate(e.right, item);
    case 'not':
      return !evaluate(e.expr, item);
    case 'match': {
      const v = resolve(item, e.selector);
      const want = e.value ?? '';
      switch (e.op) {
        case 'eq':
          return Array.isArray(v) ? v.some((x) => asText(x) === want) : asText(v) === want;
        case 'ne':
          return Array.isArray(v) ? !v.some((x) => asText(x) === want) : asText(v) !== want;
        case 'empty':
          return isEmpty(v);
        case 'notEmpty':
          return !isEmpty(v);
        case 'in':
        case 'notIn': {
          let found: boolean;
          if (Array.isArray(v)) found = v.some((x) => asText(x) === want);
          else if (typeof v === 'object' && v !== null) found = want in v;
          else found = asText(v).includes(want);
          return e.op === 'in' ? found : !found;
        }
        case 'matches':
        case 'notMatches': {
          const re = e.re ?? RE2JS.compile(want);
          const test = (x: unknown): boolean => re.matcher(asText(x)).find();
          const hit = Array.isArray(v) ? v.some(test) : test(v);
          return e.op === 'matches' ? hit : !hit;
        }
      }
    }
  }
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

export type Filter = (item: unknown) => boolean;

/** Compiles a filter expression; throws FilterError with a reason when it is malformed. */
export function compileFilter(expression: string): Filter {
  const tokens = tokenize(expression);
  if (tokens.length === 0) throw new FilterError('empty expression');
  const ast = new Parser(tokens).parse();
  return (item) => evaluate(ast, item);
}
