/**
 * Go's predefined template functions (text/template/funcs.go), except the
 * short-circuiting `and`/`or`, which the evaluator implements itself.
 */
import { escapeHtml, escapeJs, queryEscape } from './escape.js';
import { printValue, sprint, sprintf, sprintln } from './fmt.js';
import { isTrue, kindOf, lengthOf, typeName } from './values.js';

export interface Builtin {
  /** Number of fixed parameters. */
  readonly arity: number;
  readonly variadic: boolean;
  readonly fn: (...args: unknown[]) => unknown;
}

/** A bad argument type, reported by the evaluator without "error calling". */
export class ArgumentTypeError extends Error {}

type BasicKind = 'bool' | 'number' | 'string' | 'invalid';

function basicKind(v: unknown): BasicKind {
  switch (kindOf(v)) {
    case 'bool':
      return 'bool';
    case 'int':
    case 'float':
      return 'number';
    case 'string':
      return 'string';
    default:
      return 'invalid';
  }
}

const BAD_COMPARISON = 'incompatible types for comparison';
const BAD_COMPARISON_TYPE = 'invalid type for comparison';

const isNil = (v: unknown): boolean => v === undefined || v === null;

function eq(arg1: unknown, ...args: unknown[]): boolean {
  if (args.length === 0) throw new Error('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of args) {
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (!isNil(arg1) && !isNil(arg)) throw new Error(BAD_COMPARISON);
    } else if (k1 === 'invalid') {
      if (isNil(arg1) || isNil(arg)) {
        truth = isNil(arg1) === isNil(arg);
      } else {
        const kind = kindOf(arg);
        if (kind === 'slice' || kind === 'map' || kind === 'func') throw new Error(`non-comparable type ${printValue(arg)}: ${typeName(arg)}`);
        truth = arg1 === arg;
      }
    } else {
      truth = k1 === 'number' ? Number(arg1) === Number(arg) : arg1 === arg;
    }
    if (truth) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'invalid' || k2 === 'invalid') throw new Error(BAD_COMPARISON_TYPE);
  if (k1 !== k2) throw new Error(BAD_COMPARISON);
  if (k1 === 'bool') throw new Error(BAD_COMPARISON_TYPE);
  if (k1 === 'number') return Number(a) < Number(b);
  return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string)) < 0;
}

function intArg(index: unknown): number {
  if (typeof index === 'bigint') return Number(index);
  if (typeof index !== 'number' || !Number.isInteger(index)) throw new Error(`cannot index slice/array with type ${typeName(index)}`);
  return index;
}

function indexArg(index: unknown, cap: number): number {
  const x = intArg(index);
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`);
  return x;
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  if (isNil(item)) throw new Error('index of untyped nil');
  let cur = item;
  for (const idx of indexes) {
    if (isNil(cur)) throw new Error('index of nil pointer');
    const kind = kindOf(cur);
    if (kind === 'slice' || kind === 'string') {
      const len = kind === 'string' ? Buffer.byteLength(cur as string) : (cur as ArrayLike<unknown>).length;
      const x = indexArg(idx, len);
      if (x === len) throw new Error(`index out of range: ${x}`);
      cur = kind === 'string' ? (Buffer.from(cur as string)[x] as number) : (cur as ArrayLike<unknown>)[x];
    } else if (kind === 'map') {
      if (cur instanceof Map) {
        cur = cur.get(idx);
      } else {
        if (isNil(idx)) throw new Error('value is nil; should be of type string');
        if (typeof idx !== 'string') throw new Error(`value has type ${typeName(idx)}; should be string`);
        cur = Object.hasOwn(cur as object, idx) ? (cur as Record<string, unknown>)[idx] : undefined;
      }
    } else {
      throw new Error(`can't index item of type ${typeName(cur)}`);
    }
  }
  return cur;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (isNil(item)) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  const kind = kindOf(item);
  let len: number;
  if (kind === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    len = Buffer.byteLength(item as string);
  } else if (kind === 'slice') {
    len = (item as ArrayLike<unknown>).length;
  } else {
    throw new Error(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, len, len];
  indexes.forEach((x, i) => {
    idx[i] = indexArg(x, len);
  });
  const [i, j, k] = idx as [number, number, number];
  if (i > j) throw new Error(`invalid slice index: ${i} > ${j}`);
  if (indexes.length === 3 && j > k) throw new Error(`invalid slice index: ${j} > ${k}`);
  if (kind === 'string')
    return Buffer.from(item as string)
      .subarray(i, j)
      .toString('utf8');
  return Array.from(item as ArrayLike<unknown>).slice(i, j);
}

function length(item: unknown): number {
  if (isNil(item)) throw new Error('len of nil pointer');
  const n = lengthOf(item);
  if (n === undefined) throw new Error(`len of type ${typeName(item)}`);
  return n;
}

function call(fn: unknown, ...args: unknown[]): unknown {
  if (isNil(fn)) throw new Error('call of nil');
  if (typeof fn !== 'function') throw new Error(`non-function of type ${typeName(fn)}`);
  return (fn as (...a: unknown[]) => unknown)(...args);
}

/** Go's evalArgs: one string argument as is, otherwise fmt.Sprint of them all. */
export function argsString(args: readonly unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === undefined ? '<no value>' : a)));
}

const fixed = (arity: number, fn: (...args: never[]) => unknown): Builtin => ({ arity, variadic: false, fn: fn as (...args: unknown[]) => unknown });
const variadic = (arity: number, fn: (...args: never[]) => unknown): Builtin => ({ arity, variadic: true, fn: fn as (...args: unknown[]) => unknown });

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ['and', variadic(1, () => undefined)],
  ['or', variadic(1, () => undefined)],
  ['not', fixed(1, (a: unknown) => !isTrue(a))],
  ['len', fixed(1, length)],
  ['index', variadic(1, index)],
  ['slice', variadic(1, slice)],
  ['print', variadic(0, (...a: unknown[]) => sprint(a))],
  [
    'printf',
    variadic(1, (f: unknown, ...a: unknown[]) => {
      if (typeof f !== 'string') throw new ArgumentTypeError(`wrong type for value; expected string; got ${typeName(f)}`);
      return sprintf(f, a);
    }),
  ],
  ['println', variadic(0, (...a: unknown[]) => sprintln(a))],
  ['eq', variadic(1, eq)],
  ['ne', fixed(2, (a: unknown, b: unknown) => !eq(a, b))],
  ['lt', fixed(2, lt)],
  ['le', fixed(2, (a: unknown, b: unknown) => lt(a, b) || eq(a, b))],
  ['gt', fixed(2, (a: unknown, b: unknown) => !(lt(a, b) || eq(a, b)))],
  ['ge', fixed(2, (a: unknown, b: unknown) => !lt(a, b))],
  ['html', variadic(0, (...a: unknown[]) => escapeHtml(argsString(a)))],
  ['js', variadic(0, (...a: unknown[]) => escapeJs(argsString(a)))],
  ['urlquery', variadic(0, (...a: unknown[]) => queryEscape(argsString(a)))],
  ['call', variadic(1, call)],
]);
