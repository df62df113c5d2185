/**
 * How JavaScript values stand in for Go values: `undefined` is a missing
 * value (Go's invalid reflect.Value, printed "<no value>"), `null` is nil,
 * integral numbers and bigints are ints, other numbers float64, arrays are
 * slices, plain objects and Maps are maps (iterated in sorted key order),
 * other objects are structs whose exported (capitalised) function members are
 * methods, and functions are funcs.
 */

export type Kind = 'invalid' | 'nil' | 'bool' | 'int' | 'float' | 'string' | 'slice' | 'map' | 'struct' | 'func';

const INT_LIMIT = 2 ** 63;

export function kindOf(v: unknown): Kind {
  switch (typeof v) {
    case 'undefined':
      return 'invalid';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return Number.isInteger(v) && Math.abs(v) < INT_LIMIT ? 'int' : 'float';
    case 'string':
      return 'string';
    case 'function':
      return 'func';
    case 'symbol':
      return 'struct';
    case 'object':
      if (v === null) return 'nil';
      if (Array.isArray(v) || ArrayBuffer.isView(v)) return 'slice';
      if (v instanceof Map || isPlainObject(v)) return 'map';
      return 'struct';
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Go's type name for a value, as used in messages and %T. */
export function typeName(v: unknown): string {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return '<nil>';
    case 'bool':
      return 'bool';
    case 'int':
      return 'int';
    case 'float':
      return 'float64';
    case 'string':
      return 'string';
    case 'slice':
      return v instanceof Uint8Array ? '[]uint8' : '[]interface {}';
    case 'map':
      return v instanceof Map ? 'map[interface {}]interface {}' : 'map[string]interface {}';
    case 'func':
      return 'func(...interface {}) interface {}';
    case 'struct': {
      const name = (v as object).constructor?.name;
      return name ? `*${name}` : 'struct {}';
    }
  }
}

export function lengthOf(v: unknown): number | undefined {
  switch (kindOf(v)) {
    case 'string':
      return Buffer.byteLength(v as string);
    case 'slice':
      return (v as ArrayLike<unknown>).length;
    case 'map':
      return v instanceof Map ? v.size : Object.keys(v as object).length;
    default:
      return undefined;
  }
}

/** Go's truth: false, 0, nil, empty string/slice/map are false; structs and funcs are true. */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return false;
    case 'bool':
      return v as boolean;
    case 'int':
    case 'float':
      return typeof v === 'bigint' ? v !== 0n : v !== 0;
    case 'string':
    case 'slice':
    case 'map':
      return (lengthOf(v) as number) > 0;
    case 'struct':
    case 'func':
      return true;
  }
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** A map's entries in Go's sorted key order. */
export function mapEntries(v: unknown): Array<[unknown, unknown]> {
  const entries: Array<[unknown, unknown]> = v instanceof Map ? [...v.entries()] : Object.entries(v as object);
  return entries.sort(([a], [b]) => compareKeys(a, b));
}

/** A struct's exported fields (own enumerable data properties), in declaration order. */
export function structFields(v: object): Array<[string, unknown]> {
  return Object.entries(v).filter(([, value]) => typeof value !== 'function');
}
