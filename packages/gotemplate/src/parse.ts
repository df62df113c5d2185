/**
 * The parser: turns lexer items into parse trees, one per template name
 * (the main text, each `define` and each `block`), with Go's rules for
 * declarations, variable scope, `else if`/`else with`, `break`/`continue`
 * inside `range`, and its error messages (`template: NAME:LINE: ...`).
 */
import { TemplateParseError } from './errors.js';
import { describeItem, type Item, lex } from './lex.js';
import type { ArgNode, BranchNode, CommandNode, FieldNode, ListNode, Node, NumberNode, PipeNode, StringNode, VariableNode } from './nodes.js';
import { nodeString } from './nodes.js';
import { unquote } from './unquote.js';

/** One parsed template body and where it came from. */
export interface Tree {
  readonly name: string;
  /** Name of the template whose text this tree was parsed from (for error locations). */
  readonly parseName: string;
  readonly text: string;
  readonly root: ListNode;
}

export interface ParseOptions {
  readonly leftDelim?: string;
  readonly rightDelim?: string;
  /** Whether an identifier names a function (checked while parsing, as Go does). */
  readonly hasFunction: (name: string) => boolean;
}

type Sentinel = { readonly type: 'end' | 'else'; readonly pos: number; readonly line: number };
type ListOrSentinel = Node | Sentinel;

export function parseTemplate(name: string, text: string, options: ParseOptions): Map<string, Tree> {
  const items = lex(text, options.leftDelim, options.rightDelim);
  const trees = new Map<string, Tree>();
  new Parser(name, text, items, options.hasFunction, trees).parseTop();
  return trees;
}

/** A tree holding only whitespace text and comments (Go's IsEmptyTree). */
export function isEmptyTree(list: ListNode): boolean {
  return list.nodes.every((n) => n.type === 'comment' || (n.type === 'text' && n.text.trim() === ''));
}

class Parser {
  #i = 0;
  #last: Item;
  #vars: string[] = ['$'];
  #rangeDepth = 0;
  #actionLine = 0;

  constructor(
    private readonly parseName: string,
    private readonly text: string,
    private readonly items: readonly Item[],
    private readonly hasFunction: (name: string) => boolean,
    private readonly trees: Map<string, Tree>,
  ) {
    this.#last = items[0] as Item;
  }

  parseTop(): void {
    const root = this.#list(0, 1);
    while (this.#peek().type !== 'eof') {
      if (this.#peek().type === 'leftDelim') {
        const mark = this.#i;
        this.#next();
        const kw = this.#nextNonSpace();
        if (kw.type === 'keyword' && kw.val === 'define') {
          this.#parseDefinition();
          continue;
        }
        this.#i = mark;
      }
      const n = this.#textOrAction();
      if (n.type === 'end' || n.type === 'else') this.#errorf(`unexpected {{${n.type}}}`);
      root.nodes.push(n as Node);
    }
    this.#add(this.parseName, root);
  }

  #add(name: string, root: ListNode): void {
    const old = this.trees.get(name);
    if (old === undefined || isEmptyTree(old.root)) {
      this.trees.set(name, { name, parseName: this.parseName, text: this.text, root });
      return;
    }
    if (!isEmptyTree(root)) this.#errorf(`template: multiple definition of template ${JSON.stringify(name)}`);
  }

  #parseDefinition(): void {
    const context = 'define clause';
    const nameItem = this.#nextNonSpace();
    if (nameItem.type !== 'string' && nameItem.type !== 'rawString') this.#unexpected(nameItem, context);
    const name = this.#unquote(nameItem.val);
    this.#expect('rightDelim', context);
    const saved = this.#vars;
    this.#vars = ['$'];
    const [list, end] = this.#itemList();
    this.#vars = saved;
    if (end.type !== 'end') this.#errorf(`unexpected {{${end.type}}} in ${context}`);
    this.#add(name, list);
  }

  // --- item access ---

  #next(): Item {
    const item = this.items[this.#i] ?? (this.items[this.items.length - 1] as Item);
    if (this.#i < this.items.length) this.#i++;
    this.#last = item;
    return item;
  }
  #backup(): void {
    this.#i--;
  }
  #peek(): Item {
    return this.items[this.#i] ?? (this.items[this.items.length - 1] as Item);
  }
  #nextNonSpace(): Item {
    let item = this.#next();
    while (item.type === 'space') item = this.#next();
    return item;
  }
  #peekNonSpace(): Item {
    const item = this.#nextNonSpace();
    this.#backup();
    return item;
  }

  #errorf(message: string): never {
    throw new TemplateParseError(`template: ${this.parseName}:${this.#last.line}: ${message}`, this.parseName, this.#last.line);
  }
  #unexpected(item: Item, context: string): never {
    if (item.type === 'error') {
      let extra = '';
      if (this.#actionLine !== 0 && this.#actionLine !== item.line) {
        extra = ` in action started at ${this.parseName}:${this.#actionLine}`;
        if (item.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.#errorf(`${item.val}${extra}`);
    }
    this.#errorf(`unexpected ${describeItem(item)} in ${context}`);
  }
  #expect(type: Item['type'], context: string): Item {
    const item = this.#nextNonSpace();
    if (item.type !== type) this.#unexpected(item, context);
    return item;
  }
  #unquote(quoted: string): string {
    try {
      return unquote(quoted);
    } catch (err) {
      this.#errorf((err as Error).message);
    }
  }

  #list(pos: number, line: number): ListNode {
    return { type: 'list', pos, line, nodes: [] };
  }

  // --- structure ---

  #itemList(): [ListNode, Sentinel] {
    const start = this.#peekNonSpace();
    const list = this.#list(start.pos, start.line);
    while (this.#peekNonSpace().type !== 'eof') {
      const n = this.#textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n as Sentinel];
      list.nodes.push(n as Node);
    }
    this.#errorf('unexpected EOF');
  }

  #textOrAction(): ListOrSentinel {
    const item = this.#nextNonSpace();
    switch (item.type) {
      case 'text':
        return { type: 'text', pos: item.pos, line: item.line, text: item.val };
      case 'leftDelim': {
        this.#actionLine = item.line;
        try {
          return this.#action();
        } finally {
          this.#actionLine = 0;
        }
      }
      case 'comment':
        return { type: 'comment', pos: item.pos, line: item.line, text: item.val };
      default:
        this.#unexpected(item, 'input');
    }
  }

  #action(): ListOrSentinel {
    const item = this.#nextNonSpace();
    if (item.type === 'keyword') {
      switch (item.val) {
        case 'block':
          return this.#blockControl();
        case 'break':
        case 'continue':
          return this.#loopControl(item);
        case 'else':
          return this.#elseControl(item);
        case 'end':
          this.#expect('rightDelim', 'end');
          return { type: 'end', pos: item.pos, line: item.line };
        case 'if':
        case 'range':
        case 'with':
          return this.#parseControl(item.val);
        case 'template':
          return this.#templateControl();
      }
    }
    this.#backup();
    const start = this.#peek();
    return { type: 'action', pos: start.pos, line: start.line, pipe: this.#pipeline('command', 'rightDelim') };
  }

  #loopControl(item: Item): ListOrSentinel {
    const next = this.#nextNonSpace();
    if (next.type !== 'rightDelim') this.#unexpected(next, `{{${item.val}}}`);
    if (this.#rangeDepth === 0) this.#errorf(`{{${item.val}}} outside {{range}}`);
    return { type: item.val as 'break' | 'continue', pos: item.pos, line: item.line };
  }

  #elseControl(item: Item): ListOrSentinel {
    const peek = this.#peekNonSpace();
    // "{{else if ...": leave the "if" to the enclosing control, which reads it as a nested if.
    if (peek.type === 'keyword' && (peek.val === 'if' || peek.val === 'with')) return { type: 'else', pos: peek.pos, line: peek.line };
    this.#expect('rightDelim', 'else');
    return { type: 'else', pos: item.pos, line: item.line };
  }

  #parseControl(context: 'if' | 'range' | 'with'): BranchNode {
    const varsLen = this.#vars.length;
    try {
      const pipe = this.#pipeline(context, 'rightDelim');
      if (context === 'range') this.#rangeDepth++;
      const [list, next] = this.#itemList();
      if (context === 'range') this.#rangeDepth--;
      let elseList: ListNode | undefined;
      if (next.type === 'else') {
        const peek = this.#peekNonSpace();
        if ((context === 'if' || context === 'with') && peek.type === 'keyword' && peek.val === context) {
          this.#nextNonSpace();
          elseList = this.#list(next.pos, next.line);
          elseList.nodes.push(this.#parseControl(context));
        } else {
          const [els, end] = this.#itemList();
          if (end.type !== 'end') this.#errorf(`expected end; found {{${end.type}}}`);
          elseList = els;
        }
      }
      return { type: context, pos: pipe.pos, line: pipe.line, pipe, list, elseList };
    } finally {
      this.#vars.length = varsLen;
    }
  }

  #templateName(item: Item, context: string): string {
    if (item.type !== 'string' && item.type !== 'rawString') this.#unexpected(item, context);
    return this.#unquote(item.val);
  }

  #templateControl(): ListOrSentinel {
    const context = 'template clause';
    const item = this.#nextNonSpace();
    const name = this.#templateName(item, context);
    let pipe: PipeNode | undefined;
    if (this.#nextNonSpace().type !== 'rightDelim') {
      this.#backup();
      pipe = this.#pipeline(context, 'rightDelim');
    }
    return { type: 'template', pos: item.pos, line: item.line, name, pipe };
  }

  #blockControl(): ListOrSentinel {
    const context = 'block clause';
    const nameItem = this.#nextNonSpace();
    const name = this.#templateName(nameItem, context);
    const pipe = this.#pipeline(context, 'rightDelim');
    const saved = this.#vars;
    const savedDepth = this.#rangeDepth;
    this.#vars = ['$'];
    this.#rangeDepth = 0;
    const [list, end] = this.#itemList();
    this.#vars = saved;
    this.#rangeDepth = savedDepth;
    if (end.type !== 'end') this.#errorf(`unexpected {{${end.type}}} in ${context}`);
    this.#add(name, list);
    return { type: 'template', pos: nameItem.pos, line: nameItem.line, name, pipe };
  }

  // --- pipelines ---

  #pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const start = this.#peekNonSpace();
    const decl: VariableNode[] = [];
    let isAssign = false;
    for (;;) {
      const v = this.#peekNonSpace();
      if (v.type !== 'variable') break;
      const mark = this.#i;
      this.#nextNonSpace();
      const next = this.#peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        isAssign = next.type === 'assign';
        this.#nextNonSpace();
        decl.push({ type: 'variable', pos: v.pos, line: v.line, ident: [v.val] });
        this.#vars.push(v.val);
        break;
      }
      if (next.type === 'comma') {
        this.#nextNonSpace();
        decl.push({ type: 'variable', pos: v.pos, line: v.line, ident: [v.val] });
        this.#vars.push(v.val);
        if (context === 'range' && decl.length < 2) {
          const t = this.#peekNonSpace().type;
          if (t === 'variable' || t === 'rightDelim' || t === 'rightParen') continue;
          this.#errorf('range can only initialize variables');
        }
        this.#errorf(`too many declarations in ${context}`);
      }
      this.#i = mark;
      break;
    }
    const pipe: PipeNode = { type: 'pipe', pos: start.pos, line: start.line, isAssign, decl, cmds: [] };
    for (;;) {
      const item = this.#nextNonSpace();
      if (item.type === end) {
        this.#checkPipeline(pipe, context);
        return pipe;
      }
      switch (item.type) {
        case 'bool':
        case 'charConstant':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          this.#backup();
          pipe.cmds.push(this.#command());
          break;
        default:
          this.#unexpected(item, context);
      }
    }
  }

  #checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.#errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = (c.args[0] as ArgNode).type;
      if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string') this.#errorf(`non executable command in pipeline stage ${i + 2}`);
    });
  }

  #command(): CommandNode {
    const start = this.#peekNonSpace();
    const cmd: CommandNode = { type: 'command', pos: start.pos, line: start.line, args: [] };
    for (;;) {
      this.#peekNonSpace();
      const operand = this.#operand();
      if (operand) cmd.args.push(operand);
      const item = this.#next();
      if (item.type === 'space') continue;
      if (item.type === 'rightDelim' || item.type === 'rightParen') this.#backup();
      else if (item.type !== 'pipe') this.#unexpected(item, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.#errorf('empty command');
    return cmd;
  }

  #operand(): ArgNode | undefined {
    const node = this.#term();
    if (!node || this.#peek().type !== 'field') return node;
    const first = this.#peek();
    const fields: string[] = [];
    while (this.#peek().type === 'field') fields.push(this.#next().val.slice(1));
    switch (node.type) {
      case 'field':
        return { type: 'field', pos: first.pos, line: first.line, ident: [...node.ident, ...fields] } satisfies FieldNode;
      case 'variable':
        return { type: 'variable', pos: first.pos, line: first.line, ident: [...node.ident, ...fields] } satisfies VariableNode;
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return this.#errorf(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
      default:
        return { type: 'chain', pos: first.pos, line: first.line, node, field: fields };
    }
  }

  #term(): ArgNode | undefined {
    const item = this.#nextNonSpace();
    const at = { pos: item.pos, line: item.line };
    switch (item.type) {
      case 'identifier':
        if (!this.hasFunction(item.val)) this.#errorf(`function ${JSON.stringify(item.val)} not defined`);
        return { type: 'identifier', ...at, ident: item.val };
      case 'dot':
        return { type: 'dot', ...at };
      case 'nil':
        return { type: 'nil', ...at };
      case 'variable': {
        const ident = item.val.split('.');
        if (!this.#vars.includes(ident[0] as string)) this.#errorf(`undefined variable ${JSON.stringify(ident[0])}`);
        return { type: 'variable', ...at, ident };
      }
      case 'field':
        return { type: 'field', ...at, ident: [item.val.slice(1)] };
      case 'bool':
        return { type: 'bool', ...at, value: item.val === 'true' };
      case 'charConstant':
      case 'number':
        return this.#number(item);
      case 'leftParen':
        return this.#pipeline('parenthesized pipeline', 'rightParen');
      case 'string':
      case 'rawString':
        return { type: 'string', ...at, quoted: item.val, text: this.#unquote(item.val) } satisfies StringNode;
      default:
        this.#backup();
        return undefined;
    }
  }

  #number(item: Item): NumberNode {
    const at = { pos: item.pos, line: item.line, text: item.val };
    if (item.type === 'charConstant') {
      const s = this.#unquote(item.val);
      const cps = [...s];
      if (cps.length !== 1) this.#errorf(`malformed character constant: ${item.val}`);
      return { type: 'number', ...at, value: (cps[0] as string).codePointAt(0) as number, isFloat: false };
    }
    const text = item.val;
    if (text.endsWith('i')) this.#errorf(`complex numbers are not supported: ${text}`);
    const clean = text.replace(/_/g, '');
    const sign = clean.startsWith('-') ? -1 : 1;
    const body = clean.replace(/^[+-]/, '');
    if (/^0[xX][0-9a-fA-F]+$/.test(body) || /^0[oO][0-7]+$/.test(body) || /^0[bB][01]+$/.test(body) || /^0[0-7]*$/.test(body) || /^[1-9][0-9]*$/.test(body)) {
      const prefixed = /^0[0-7]+$/.test(body) ? `0o${body.slice(1)}` : body;
      const big = BigInt(prefixed) * BigInt(sign);
      const value = big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
      return { type: 'number', ...at, value, isFloat: false };
    }
    if (/^0[xX]/.test(body)) this.#errorf(`illegal number syntax: ${JSON.stringify(text)}`);
    const f = Number(body);
    if (body === '' || Number.isNaN(f) || !/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(body)) this.#errorf(`illegal number syntax: ${JSON.stringify(text)}`);
    return { type: 'number', ...at, value: sign * f, isFloat: true };
  }
}
