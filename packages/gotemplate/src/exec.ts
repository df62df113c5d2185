/**
 * The evaluator: walks a parse tree against data, following Go's
 * text/template exec.go — pipelines pass their value as the last argument,
 * variables are scoped to the enclosing control structure, `range` sets
 * `$i, $v`, fields resolve on maps and structs (methods first), and errors
 * read `template: NAME:LINE:COL: executing "NAME" at <node>: message`.
 */
import { ArgumentTypeError, BUILTINS } from './builtins.js';
import { TemplateExecError } from './errors.js';
import { printValue } from './fmt.js';
import type { ArgNode, BranchNode, ChainNode, CommandNode, FieldNode, IdentifierNode, ListNode, Node, PipeNode, TemplateCallNode, VariableNode } from './nodes.js';
import { nodeString } from './nodes.js';
import type { Tree } from './parse.js';
import { isTrue, kindOf, mapEntries, typeName } from './values.js';

export type MissingKey = 'default' | 'invalid' | 'zero' | 'error';

export interface ExecEnv {
  readonly trees: ReadonlyMap<string, Tree>;
  readonly funcs: ReadonlyMap<string, (...args: unknown[]) => unknown>;
  readonly missingKey: MissingKey;
  /** Match map keys case-insensitively when there is no exact match. */
  readonly foldFieldCase: boolean;
}

/** Deepest nesting of {{template}} calls, as Go's maxExecDepth (lower: JavaScript's stack is smaller). */
export const MAX_EXEC_DEPTH = 1000;

const NO_FINAL: unique symbol = Symbol('no final value');
type Final = unknown;
type Signal = 'break' | 'continue' | undefined;
interface Variable {
  readonly name: string;
  value: unknown;
}

export function execute(env: ExecEnv, tree: Tree, data: unknown): string {
  const out: string[] = [];
  const state = new State(env, tree, [{ name: '$', value: data }], 0, out);
  try {
    state.walk(data, tree.root);
  } catch (err) {
    if (err instanceof RangeError && /call stack/.test(err.message)) state.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    throw err;
  }
  return out.join('');
}

class State {
  #node: Node | ArgNode | CommandNode | undefined;

  constructor(
    private readonly env: ExecEnv,
    private readonly tree: Tree,
    private readonly vars: Variable[],
    private readonly depth: number,
    private readonly out: string[],
  ) {}

  #at(node: Node | ArgNode | CommandNode): void {
    this.#node = node;
  }

  errorf(message: string): never {
    const name = this.tree.name;
    if (!this.#node) throw new TemplateExecError(`template: ${name}: ${message}`, name, 0, 0);
    const before = this.tree.text.slice(0, this.#node.pos);
    const line = before.split('\n').length;
    const col = this.#node.pos - (before.lastIndexOf('\n') + 1);
    let context = nodeString(this.#node);
    if (context.length > 20) context = `${context.slice(0, 20)}...`;
    throw new TemplateExecError(`template: ${this.tree.parseName}:${line}:${col}: executing ${JSON.stringify(name)} at <${context}>: ${message}`, name, line, col);
  }

  // --- variables ---

  #push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }
  #pop(mark: number): void {
    this.vars.length = mark;
  }
  #setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) {
        v.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  #setTopVar(n: number, value: unknown): void {
    (this.vars[this.vars.length - n] as Variable).value = value;
  }
  #varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) return v.value;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  // --- walking ---

  walk(dot: unknown, node: Node): Signal {
    switch (node.type) {
      case 'action': {
        const val = this.#evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.#print(node, val);
        return undefined;
      }
      case 'break':
      case 'continue':
        return node.type;
      case 'comment':
        return undefined;
      case 'if':
      case 'with':
        return this.#walkIfOrWith(dot, node);
      case 'list':
        for (const n of node.nodes) {
          const signal = this.walk(dot, n);
          if (signal) return signal;
        }
        return undefined;
      case 'range':
        return this.#walkRange(dot, node);
      case 'template':
        this.#walkTemplate(dot, node);
        return undefined;
      case 'text':
        this.out.push(node.text);
        return undefined;
    }
  }

  #print(node: Node, val: unknown): void {
    this.#at(node);
    if (val === undefined) {
      this.out.push('<no value>');
      return;
    }
    if (typeof val === 'function') this.errorf(`can't print ${nodeString(node)} of type ${typeName(val)}`);
    if (val instanceof Promise) this.errorf(`can't print ${nodeString(node)}: a template function returned a Promise; template functions must be synchronous`);
    this.out.push(printValue(val));
  }

  #walkIfOrWith(dot: unknown, node: BranchNode): Signal {
    const mark = this.vars.length;
    try {
      const val = this.#evalPipeline(dot, node.pipe);
      if (isTrue(val)) return this.walk(node.type === 'with' ? val : dot, node.list);
      if (node.elseList) return this.walk(dot, node.elseList);
      return undefined;
    } finally {
      this.#pop(mark);
    }
  }

  #walkRange(dot: unknown, node: BranchNode): Signal {
    this.#at(node);
    const mark = this.vars.length;
    try {
      const val = this.#evalPipeline(dot, node.pipe);
      const decl = node.pipe.decl;
      const oneIteration = (index: unknown, elem: unknown): Signal => {
        if (decl.length > 0) {
          if (node.pipe.isAssign) this.#setVar((decl[0] as VariableNode).ident[0] as string, decl.length > 1 ? index : elem);
          else this.#setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (node.pipe.isAssign) this.#setVar((decl[1] as VariableNode).ident[0] as string, elem);
          else this.#setTopVar(2, index);
        }
        const inner = this.vars.length;
        try {
          return this.walk(elem, node.list);
        } finally {
          this.#pop(inner);
        }
      };
      let iterations = 0;
      const run = (index: unknown, elem: unknown): boolean => {
        iterations++;
        return oneIteration(index, elem) === 'break';
      };
      switch (kindOf(val)) {
        case 'slice': {
          const list = val as ArrayLike<unknown>;
          for (let i = 0; i < list.length; i++) if (run(i, list[i])) break;
          break;
        }
        case 'map':
          for (const [k, v] of mapEntries(val)) if (run(k, v)) break;
          break;
        case 'int': {
          if (decl.length > 1) this.errorf(`can't use ${printValue(val)} to iterate over more than one variable`);
          const n = Number(val);
          for (let i = 0; i < n; i++) if (run(i, i)) break;
          break;
        }
        case 'invalid':
        case 'nil':
          break;
        default:
          this.errorf(`range can't iterate over ${printValue(val)}`);
      }
      if (iterations === 0 && node.elseList) return this.walk(dot, node.elseList);
      return undefined;
    } finally {
      this.#pop(mark);
    }
  }

  #walkTemplate(dot: unknown, node: TemplateCallNode): void {
    this.#at(node);
    const tree = this.env.trees.get(node.name);
    if (!tree) this.errorf(`template ${JSON.stringify(node.name)} not defined`);
    if (this.depth >= MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const newDot = node.pipe ? this.#evalPipeline(dot, node.pipe) : undefined;
    const state = new State(this.env, tree, [{ name: '$', value: newDot }], this.depth + 1, this.out);
    state.walk(newDot, tree.root);
  }

  // --- evaluation ---

  #evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.#at(pipe);
    let value: unknown = NO_FINAL;
    for (const cmd of pipe.cmds) value = this.#evalCommand(dot, cmd, value);
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.#setVar(v.ident[0] as string, value);
      else this.#push(v.ident[0] as string, value);
    }
    return value;
  }

  #notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== NO_FINAL) this.errorf(`can't give argument to non-function ${nodeString(args[0] as ArgNode)}`);
  }

  #evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0] as ArgNode;
    switch (first.type) {
      case 'field':
        return this.#evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.#evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.#evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.#notAFunction(cmd.args, final);
        return this.#evalPipeline(dot, first);
      case 'variable':
        return this.#evalVariableNode(dot, first, cmd.args, final);
      default:
        break;
    }
    this.#at(first);
    this.#notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.errorf('nil is not a command');
      case 'number':
        return first.value;
      case 'string':
        return first.text;
    }
  }

  #evalArg(dot: unknown, n: ArgNode): unknown {
    this.#at(n);
    switch (n.type) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'field':
        return this.#evalFieldNode(dot, n, [n], NO_FINAL);
      case 'variable':
        return this.#evalVariableNode(dot, n, [n], NO_FINAL);
      case 'pipe':
        return this.#evalPipeline(dot, n);
      case 'identifier':
        return this.#evalFunction(dot, n, n, [n], NO_FINAL);
      case 'chain':
        return this.#evalChainNode(dot, n, [n], NO_FINAL);
      case 'bool':
        return n.value;
      case 'number':
        return n.value;
      case 'string':
        return n.text;
    }
  }

  #evalFieldNode(dot: unknown, field: FieldNode, args: readonly ArgNode[], final: Final): unknown {
    this.#at(field);
    return this.#evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  #evalChainNode(dot: unknown, chain: ChainNode, args: readonly ArgNode[], final: Final): unknown {
    this.#at(chain);
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const receiver = this.#evalArg(dot, chain.node);
    return this.#evalFieldChain(dot, receiver, chain, chain.field, args, final);
  }

  #evalVariableNode(dot: unknown, variable: VariableNode, args: readonly ArgNode[], final: Final): unknown {
    this.#at(variable);
    const value = this.#varValue(variable.ident[0] as string);
    if (variable.ident.length === 1) {
      this.#notAFunction(args, final);
      return value;
    }
    return this.#evalFieldChain(dot, value, variable, variable.ident.slice(1), args, final);
  }

  #evalFieldChain(dot: unknown, receiver: unknown, node: ArgNode, ident: readonly string[], args: readonly ArgNode[], final: Final): unknown {
    let cur = receiver;
    for (let i = 0; i < ident.length - 1; i++) cur = this.#evalField(dot, ident[i] as string, node, [], NO_FINAL, cur);
    return this.#evalField(dot, ident[ident.length - 1] as string, node, args, final, cur);
  }

  #evalField(dot: unknown, name: string, node: ArgNode, args: readonly ArgNode[], final: Final, receiver: unknown): unknown {
    if (receiver === undefined) {
      if (this.env.missingKey === 'error') this.errorf(`nil data; no entry for key ${JSON.stringify(name)}`);
      return undefined;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${name}`);
    const kind = kindOf(receiver);
    if (kind !== 'map' && (typeof receiver === 'object' || typeof receiver === 'function') && /^\p{Lu}/u.test(name)) {
      const method = (receiver as Record<string, unknown>)[name];
      if (typeof method === 'function') return this.#evalCall(dot, method.bind(receiver) as (...a: unknown[]) => unknown, undefined, node, name, args, final);
    }
    const hasArgs = args.length > 1 || final !== NO_FINAL;
    if (kind === 'struct') {
      if (name in (receiver as object)) {
        if (hasArgs) this.errorf(`${name} has arguments but cannot be invoked as function`);
        return (receiver as Record<string, unknown>)[name];
      }
    } else if (kind === 'map') {
      if (hasArgs) this.errorf(`${name} is not a method but has arguments`);
      const found = this.#mapLookup(receiver as Map<unknown, unknown> | Record<string, unknown>, name);
      if (found.ok) return found.value;
      if (this.env.missingKey === 'error') this.errorf(`map has no entry for key ${JSON.stringify(name)}`);
      return undefined;
    }
    this.errorf(`can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  #mapLookup(m: Map<unknown, unknown> | Record<string, unknown>, name: string): { ok: boolean; value?: unknown } {
    if (m instanceof Map) {
      if (m.has(name)) return { ok: true, value: m.get(name) };
      if (this.env.foldFieldCase) for (const [k, v] of m) if (typeof k === 'string' && k.toLowerCase() === name.toLowerCase()) return { ok: true, value: v };
      return { ok: false };
    }
    if (Object.hasOwn(m, name)) return { ok: true, value: m[name] };
    if (this.env.foldFieldCase) {
      const lower = name.toLowerCase();
      const key = Object.keys(m).find((k) => k.toLowerCase() === lower);
      if (key !== undefined) return { ok: true, value: m[key] };
    }
    return { ok: false };
  }

  #evalFunction(dot: unknown, node: IdentifierNode, cmd: ArgNode | CommandNode, args: readonly ArgNode[], final: Final): unknown {
    this.#at(node);
    const name = node.ident;
    const custom = this.env.funcs.get(name);
    const builtin = custom ? undefined : BUILTINS.get(name);
    const fn = custom ?? builtin?.fn;
    if (!fn) this.errorf(`${JSON.stringify(name)} is not a defined function`);
    return this.#evalCall(dot, fn, builtin ? { name, arity: builtin.arity, variadic: builtin.variadic } : undefined, cmd, name, args, final);
  }

  #evalCall(
    dot: unknown,
    fn: (...args: unknown[]) => unknown,
    builtin: { name: string; arity: number; variadic: boolean } | undefined,
    node: ArgNode | CommandNode,
    name: string,
    allArgs: readonly ArgNode[],
    final: Final,
  ): unknown {
    const args = allArgs.slice(1);
    const numIn = args.length + (final !== NO_FINAL ? 1 : 0);
    if (builtin) {
      if (builtin.variadic && numIn < builtin.arity) this.errorf(`wrong number of args for ${name}: want at least ${builtin.arity} got ${args.length}`);
      if (!builtin.variadic && numIn !== builtin.arity) this.errorf(`wrong number of args for ${name}: want ${builtin.arity} got ${numIn}`);
      if (name === 'and' || name === 'or') {
        let v: unknown;
        for (const arg of args) {
          v = this.#evalArg(dot, arg);
          if (isTrue(v) === (name === 'or')) return v;
        }
        return final !== NO_FINAL ? final : v;
      }
    }
    const argv = args.map((a) => this.#evalArg(dot, a));
    if (final !== NO_FINAL) argv.push(final);
    this.#at(node);
    let result: unknown;
    try {
      result = fn(...argv);
    } catch (err) {
      this.#at(node);
      if (err instanceof TemplateExecError) throw err;
      if (err instanceof ArgumentTypeError) this.errorf(err.message);
      this.errorf(`error calling ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (result instanceof Promise) {
      result.catch(() => undefined);
      this.errorf(`error calling ${name}: returned a Promise; template functions must be synchronous`);
    }
    return result;
  }
}

export type { ListNode };
