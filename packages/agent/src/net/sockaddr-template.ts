/**
 * go-sockaddr templates (`{{ GetPrivateIP }}`, `{{ GetAllInterfaces | include "network"
 * "10.0.0.0/8" | attr "address" }}`), as Consul evaluates `-bind`, `-advertise`, `-client`,
 * `-join`, `-retry-join` and their config keys: the Go text/template subset those templates use
 * (text and `{{ }}` actions with `-` trim markers and comments, pipelines with `|`, string, raw
 * string and integer literals, `.`, parenthesised pipelines) over go-sockaddr's functions.
 */
import type { InterfaceTable } from './interface-table.js';
import * as fn from './sockaddr-functions.js';
import { type IfAddrs, SockaddrError } from './sockaddr-functions.js';

export { SockaddrError } from './sockaddr-functions.js';

/** Longest template accepted, and deepest nesting of parentheses. */
const MAX_TEMPLATE_LENGTH = 8192;
const MAX_DEPTH = 32;

type Value = string | number | IfAddrs;

type Node = { kind: 'text'; text: string } | { kind: 'action'; pipeline: Command[] };

type Operand = { kind: 'ident'; name: string } | { kind: 'string'; value: string } | { kind: 'number'; value: number } | { kind: 'dot' } | { kind: 'paren'; pipeline: Command[] };

type Command = Operand[];

/** Whether a string holds a template at all (Consul passes other strings through untouched). */
export function isTemplate(input: string): boolean {
  return input.includes('{{');
}

// ---- lexing and parsing of one action ----------------------------------------------------------

const GO_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };

function parseError(msg: string): SockaddrError {
  return new SockaddrError(`template: sockaddr.Parse:1: ${msg}`);
}

class ActionParser {
  #pos = 0;
  readonly #src: string;

  constructor(src: string) {
    this.#src = src;
  }

  #skipSpace(): void {
    while (this.#pos < this.#src.length && /\s/.test(this.#src[this.#pos] as string)) this.#pos++;
  }

  pipeline(depth: number): Command[] {
    if (depth > MAX_DEPTH) throw parseError('parentheses nested too deeply');
    const commands: Command[] = [];
    for (;;) {
      const cmd: Command = [];
      for (;;) {
        this.#skipSpace();
        const c = this.#src[this.#pos];
        if (c === undefined || c === '|' || c === ')') break;
        cmd.push(this.#operand(depth));
      }
      if (cmd.length === 0) throw parseError(commands.length === 0 ? 'missing value for command' : 'missing command after |');
      commands.push(cmd);
      if (this.#src[this.#pos] !== '|') break;
      this.#pos++;
    }
    return commands;
  }

  done(): void {
    this.#skipSpace();
    if (this.#pos < this.#src.length) throw parseError(`unexpected ${JSON.stringify(this.#src[this.#pos])} in command`);
  }

  #operand(depth: number): Operand {
    const src = this.#src;
    const c = src[this.#pos] as string;
    if (c === '(') {
      this.#pos++;
      const pipeline = this.pipeline(depth + 1);
      if (src[this.#pos] !== ')') throw parseError('unclosed left paren');
      this.#pos++;
      return { kind: 'paren', pipeline };
    }
    if (c === '"') return { kind: 'string', value: this.#quoted() };
    if (c === '`') {
      const end = src.indexOf('`', this.#pos + 1);
      if (end === -1) throw parseError('unterminated raw quoted string');
      const value = src.slice(this.#pos + 1, end);
      this.#pos = end + 1;
      return { kind: 'string', value };
    }
    const word = /^[^\s|()"`]+/.exec(src.slice(this.#pos))?.[0] ?? '';
    this.#pos += word.length;
    if (word === '.') return { kind: 'dot' };
    if (/^[-+]?\d+$/.test(word)) return { kind: 'number', value: Number(word) };
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(word)) return { kind: 'ident', name: word };
    throw parseError(`bad character ${JSON.stringify(word[0] ?? c)}`);
  }

  #quoted(): string {
    const src = this.#src;
    let out = '';
    let i = this.#pos + 1;
    for (; i < src.length && src[i] !== '"'; i++) {
      const ch = src[i] as string;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const next = src[++i];
      if (next === undefined) break;
      if (next in GO_ESCAPES) out += GO_ESCAPES[next];
      else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(src.slice(i + 1, i + 3))) {
        out += String.fromCharCode(Number.parseInt(src.slice(i + 1, i + 3), 16));
        i += 2;
      } else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 1, i + 5))) {
        out += String.fromCharCode(Number.parseInt(src.slice(i + 1, i + 5), 16));
        i += 4;
      } else throw parseError(`bad escape \\${next} in quoted string`);
    }
    if (src[i] !== '"') throw parseError('unterminated quoted string');
    this.#pos = i + 1;
    return out;
  }
}

/** Where the action starting at `from` ends (its `}}`), skipping quoted and raw strings; -1 if never. */
function actionEnd(input: string, from: number): number {
  for (let i = from; i < input.length; i++) {
    const c = input[i];
    if (c === '"') {
      for (i++; i < input.length && input[i] !== '"'; i++) if (input[i] === '\\') i++;
    } else if (c === '`') {
      const end = input.indexOf('`', i + 1);
      if (end === -1) return -1;
      i = end;
    } else if (c === '}' && input[i + 1] === '}') return i;
  }
  return -1;
}

/** Splits a template into text and actions, honouring `{{-`/`-}}` trim markers and comments. */
function parseTemplate(input: string): Node[] {
  const nodes: Node[] = [];
  let pos = 0;
  let trimNextText = false;
  while (pos < input.length) {
    const open = input.indexOf('{{', pos);
    let text = open === -1 ? input.slice(pos) : input.slice(pos, open);
    if (trimNextText) text = text.replace(/^\s+/, '');
    trimNextText = false;
    if (open === -1) {
      if (text) nodes.push({ kind: 'text', text });
      break;
    }
    let start = open + 2;
    if (/^-\s/.test(input.slice(start, start + 2))) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    if (text) nodes.push({ kind: 'text', text });
    const close = actionEnd(input, start);
    if (close === -1) throw parseError('unclosed action');
    let end = close;
    if (/\s-$/.test(input.slice(start, close)) && close - 2 >= start) {
      end = close - 1;
      trimNextText = true;
    }
    const body = input.slice(start, end).trim();
    pos = close + 2;
    if (body.startsWith('/*')) {
      if (!body.endsWith('*/')) throw parseError('unclosed comment');
      continue;
    }
    if (body === '') throw parseError('missing value for command');
    const parser = new ActionParser(body);
    const pipeline = parser.pipeline(0);
    parser.done();
    nodes.push({ kind: 'action', pipeline });
  }
  return nodes;
}

// ---- evaluation --------------------------------------------------------------------------------

type Arg = 'string' | 'int' | 'uint' | 'ifaddrs';

interface FuncSpec {
  args: readonly Arg[];
  call: (args: Value[], table: InterfaceTable) => Value;
}

const s = (v: Value) => v as string;
const n = (v: Value) => v as number;
const l = (v: Value) => v as IfAddrs;

const FUNCS: Record<string, FuncSpec> = {
  GetAllInterfaces: { args: [], call: (_a, t) => t.addresses },
  GetDefaultInterfaces: { args: [], call: (_a, t) => fn.getDefaultInterfaces(t) },
  GetPrivateInterfaces: { args: [], call: (_a, t) => fn.getPrivateInterfaces(t) },
  GetPublicInterfaces: { args: [], call: (_a, t) => fn.getPublicInterfaces(t) },
  GetPrivateIP: { args: [], call: (_a, t) => fn.getPrivateIP(t) },
  GetPrivateIPs: { args: [], call: (_a, t) => fn.getPrivateIPs(t) },
  GetPublicIP: { args: [], call: (_a, t) => fn.getPublicIP(t) },
  GetPublicIPs: { args: [], call: (_a, t) => fn.getPublicIPs(t) },
  GetInterfaceIP: { args: ['string'], call: (a, t) => fn.getInterfaceIP(s(a[0] as Value), t) },
  GetInterfaceIPs: { args: ['string'], call: (a, t) => fn.getInterfaceIPs(s(a[0] as Value), t) },
  sort: { args: ['string', 'ifaddrs'], call: (a, t) => fn.sort(s(a[0] as Value), l(a[1] as Value), t) },
  include: { args: ['string', 'string', 'ifaddrs'], call: (a) => fn.include(s(a[0] as Value), s(a[1] as Value), l(a[2] as Value)) },
  exclude: { args: ['string', 'string', 'ifaddrs'], call: (a) => fn.exclude(s(a[0] as Value), s(a[1] as Value), l(a[2] as Value)) },
  attr: { args: ['string', 'ifaddrs'], call: (a) => fn.attr(s(a[0] as Value), l(a[1] as Value)) },
  join: { args: ['string', 'string', 'ifaddrs'], call: (a) => fn.join(s(a[0] as Value), s(a[1] as Value), l(a[2] as Value)) },
  limit: { args: ['uint', 'ifaddrs'], call: (a) => fn.limit(n(a[0] as Value), l(a[1] as Value)) },
  offset: { args: ['int', 'ifaddrs'], call: (a) => fn.offset(n(a[0] as Value), l(a[1] as Value)) },
  unique: { args: ['string', 'ifaddrs'], call: (a) => fn.unique(s(a[0] as Value), l(a[1] as Value)) },
};

function typeName(v: Value): string {
  return typeof v === 'string' ? 'string' : typeof v === 'number' ? 'int' : 'sockaddr.IfAddrs';
}

function checkArg(name: string, i: number, want: Arg, v: Value): void {
  const ok =
    (want === 'string' && typeof v === 'string') ||
    (want === 'int' && typeof v === 'number') ||
    (want === 'uint' && typeof v === 'number' && v >= 0) ||
    (want === 'ifaddrs' && Array.isArray(v));
  if (!ok) {
    const goWant = want === 'ifaddrs' ? 'sockaddr.IfAddrs' : want;
    throw new SockaddrError(`template: sockaddr.Parse:1: wrong type for value; expected ${goWant}; got ${typeName(v)} (argument ${i + 1} of ${name})`);
  }
}

function evalOperand(op: Operand, table: InterfaceTable): Value {
  switch (op.kind) {
    case 'string':
      return op.value;
    case 'number':
      return op.value;
    case 'dot':
      return table.addresses;
    case 'paren':
      return evalPipeline(op.pipeline, table);
    case 'ident':
      return callFunc(op.name, [], table);
  }
}

function callFunc(name: string, args: Value[], table: InterfaceTable): Value {
  const spec = FUNCS[name];
  if (!spec) {
    if (name === 'math') throw parseError('function "math" is not supported by this agent');
    throw parseError(`function ${JSON.stringify(name)} not defined`);
  }
  if (args.length !== spec.args.length) {
    throw new SockaddrError(`template: sockaddr.Parse:1: wrong number of args for ${name}: want ${spec.args.length} got ${args.length}`);
  }
  for (const [i, want] of spec.args.entries()) checkArg(name, i, want, args[i] as Value);
  return spec.call(args, table);
}

function evalPipeline(pipeline: readonly Command[], table: InterfaceTable): Value {
  let piped: Value | undefined;
  for (const cmd of pipeline) {
    const [head, ...rest] = cmd;
    if (!head) throw parseError('empty command');
    if (head.kind === 'ident') {
      const args = rest.map((op) => evalOperand(op, table));
      if (piped !== undefined) args.push(piped);
      piped = callFunc(head.name, args, table);
    } else {
      if (rest.length > 0 || piped !== undefined) throw parseError(`can't give argument to non-function ${head.kind === 'dot' ? '.' : 'value'}`);
      piped = evalOperand(head, table);
    }
  }
  return piped as Value;
}

/**
 * Evaluates a go-sockaddr template over an interface table. Throws SockaddrError with Go's
 * wording when the template does not parse or a function refuses its input.
 */
export function evaluateSockaddrTemplate(input: string, table: InterfaceTable): string {
  if (input.length > MAX_TEMPLATE_LENGTH) throw new SockaddrError(`template longer than ${MAX_TEMPLATE_LENGTH} characters`);
  const nodes = parseTemplate(input);
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') {
      out += node.text;
      continue;
    }
    const v = evalPipeline(node.pipeline, table);
    if (Array.isArray(v)) {
      throw new SockaddrError('a list of interfaces cannot be printed: end the pipeline with attr or join');
    }
    out += String(v);
  }
  return out;
}
