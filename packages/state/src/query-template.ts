/**
 * Prepared query templates, as Consul's `prepared_query/template.go`: every string of a query's
 * `Service` block is an interpolation (`${name.full}`, `${name.prefix}`, `${name.suffix}`,
 * `${agent.segment}`, `${match(N)}`), rendered for the name a query was looked up by. The
 * optional `Template.Regexp` (Go RE2 syntax, matched in linear time) feeds `match(N)`.
 */
import { RE2JS } from 're2js';
import type { PreparedQuery, QuerySource } from './types.js';

export const TEMPLATE_TYPE_NAME_PREFIX_MATCH = 'name_prefix_match';

/** One piece of an interpolated string: literal text or an expression. */
type Part = { text: string } | { expr: Expr };
type Expr = { variable: string } | { call: string; args: Expr[] } | { int: number } | { str: string };

export class TemplateError extends Error {}

const VARIABLES = new Set(['name.full', 'name.prefix', 'name.suffix', 'agent.segment']);

/** Parses one string into parts; throws TemplateError on bad syntax. */
export function parseInterpolation(input: string): Part[] {
  const parts: Part[] = [];
  let text = '';
  let i = 0;
  while (i < input.length) {
    if (input.startsWith('$${', i)) {
      text += '${';
      i += 3;
      continue;
    }
    if (input.startsWith('${', i)) {
      if (text) parts.push({ text });
      text = '';
      const p = new ExprParser(input, i + 2);
      const expr = p.expression();
      p.skipSpace();
      if (input[p.pos] !== '}') throw new TemplateError(`${p.column()}: expected "}" but found ${describe(input, p.pos)}`);
      parts.push({ expr });
      i = p.pos + 1;
      continue;
    }
    text += input[i];
    i++;
  }
  if (text || parts.length === 0) parts.push({ text });
  return parts;
}

function describe(s: string, at: number): string {
  return at >= s.length ? 'end of string' : JSON.stringify(s[at]);
}

class ExprParser {
  pos: number;
  constructor(
    readonly src: string,
    start: number,
  ) {
    this.pos = start;
  }

  column(): string {
    return `1:${this.pos + 1}`;
  }

  skipSpace(): void {
    while (this.src[this.pos] === ' ' || this.src[this.pos] === '\t') this.pos++;
  }

  expression(): Expr {
    this.skipSpace();
    const c = this.src[this.pos];
    if (c === undefined) throw new TemplateError(`${this.column()}: expected expression but found end of string`);
    if (c === '"') return this.#string();
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+/.exec(this.src.slice(this.pos)) as RegExpExecArray;
      this.pos += m[0].length;
      return { int: Number(m[0]) };
    }
    const m = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(this.src.slice(this.pos));
    if (!m) throw new TemplateError(`${this.column()}: expected expression but found ${describe(this.src, this.pos)}`);
    this.pos += m[0].length;
    this.skipSpace();
    if (this.src[this.pos] !== '(') return { variable: m[0] };
    this.pos++;
    const args: Expr[] = [];
    this.skipSpace();
    if (this.src[this.pos] === ')') {
      this.pos++;
      return { call: m[0], args };
    }
    for (;;) {
      args.push(this.expression());
      this.skipSpace();
      const d = this.src[this.pos];
      this.pos++;
      if (d === ')') return { call: m[0], args };
      if (d !== ',') throw new TemplateError(`1:${this.pos}: expected "," or ")" but found ${describe(this.src, this.pos - 1)}`);
    }
  }

  #string(): Expr {
    let out = '';
    this.pos++;
    while (this.pos < this.src.length && this.src[this.pos] !== '"') {
      if (this.src[this.pos] === '\\' && this.pos + 1 < this.src.length) this.pos++;
      out += this.src[this.pos];
      this.pos++;
    }
    if (this.src[this.pos] !== '"') throw new TemplateError(`${this.column()}: unterminated string`);
    this.pos++;
    return { str: out };
  }
}

/** Checks names and argument types, as HIL's type check does before evaluation. */
function check(expr: Expr): 'string' | 'int' {
  if ('int' in expr) return 'int';
  if ('str' in expr) return 'string';
  if ('variable' in expr) {
    if (!VARIABLES.has(expr.variable)) throw new TemplateError(`unknown variable accessed: ${expr.variable}`);
    return 'string';
  }
  if (expr.call !== 'match') throw new TemplateError(`unknown function called: ${expr.call}`);
  if (expr.args.length !== 1) throw new TemplateError(`match: expected 1 arguments, got ${expr.args.length}`);
  if (check(expr.args[0] as Expr) !== 'int') throw new TemplateError('match: argument 1 should be type int, got type string');
  return 'string';
}

interface Scope {
  variables: Record<string, string>;
  matches: string[] | undefined;
}

function evaluate(expr: Expr, scope: Scope): string | number {
  if ('int' in expr) return expr.int;
  if ('str' in expr) return expr.str;
  if ('variable' in expr) return scope.variables[expr.variable] ?? '';
  const n = evaluate(expr.args[0] as Expr, scope) as number;
  return scope.matches && n >= 0 && n < scope.matches.length ? (scope.matches[n] as string) : '';
}

/** Visits every string in `value` (objects, arrays and map values), depth first, in key order. */
function walkStrings(value: unknown, path: string, visit: (path: string, s: string) => string): unknown {
  if (typeof value === 'string') return visit(path, value);
  if (Array.isArray(value)) return value.map((v, i) => walkStrings(v, `${path}[${i}]`, visit));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walkStrings(v, isMapPath(path) ? `${path}[${k}]` : `${path}.${k}`, visit);
    return out;
  }
  return value;
}

/** NodeMeta and ServiceMeta are Go maps: their keys appear as `[key]` in paths. */
function isMapPath(path: string): boolean {
  return path === '.NodeMeta' || path === '.ServiceMeta';
}

/** A template ready to render: its parsed strings and compiled regexp. */
export class CompiledTemplate {
  readonly #query: PreparedQuery;
  readonly #trees = new Map<string, Part[]>();
  readonly #re: RE2JS | undefined;

  constructor(query: PreparedQuery) {
    if (query.Template.Type !== TEMPLATE_TYPE_NAME_PREFIX_MATCH) throw new TemplateError(`Bad Template.Type '${query.Template.Type}'`);
    this.#query = query;
    walkStrings(query.Service, '', (path, s) => {
      try {
        const parts = parseInterpolation(s);
        for (const p of parts) if ('expr' in p) check(p.expr);
        this.#trees.set(path, parts);
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        throw new TemplateError(`Bad format '${s}' in Service${path}: ${err.message}`);
      }
      return s;
    });
    if (query.Template.Regexp !== '') {
      try {
        this.#re = RE2JS.compile(query.Template.Regexp);
      } catch (err) {
        throw new TemplateError(`Bad Regexp: ${(err as Error).message}`);
      }
    }
    // A test render with the bare prefix catches errors before the query is stored.
    this.render(query.Name, { Segment: '' });
  }

  /** The query with every Service string interpolated for `name`. */
  render(name: string, source: QuerySource): PreparedQuery {
    const q = this.#query;
    let matches: string[] | undefined;
    if (this.#re) {
      const m = this.#re.matcher(name);
      if (m.find()) {
        matches = [];
        for (let i = 0; i <= m.groupCount(); i++) matches.push(m.group(i) ?? '');
      }
    }
    const scope: Scope = {
      variables: {
        'name.full': name,
        'name.prefix': q.Name,
        'name.suffix': name.startsWith(q.Name) ? name.slice(q.Name.length) : name,
        'agent.segment': source.Segment,
      },
      matches,
    };
    const service = walkStrings(q.Service, '', (path, s) => {
      const parts = this.#trees.get(path);
      if (!parts) return s;
      return parts.map((p) => ('text' in p ? p.text : String(evaluate(p.expr, scope)))).join('');
    }) as PreparedQuery['Service'];
    if (q.Template.RemoveEmptyTags && service.Tags) service.Tags = service.Tags.filter((t) => t !== '');
    return { ...structuredClone(q), Service: service };
  }
}
