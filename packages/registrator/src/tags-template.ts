/**
 * Registrator's `-tags` template: Go text/template (the shared
 * `@concord/gotemplate` engine) over the container-inspect object, with field
 * names matched case-insensitively (so `.ID` finds `Id`, as Go's struct
 * fields do for Docker's JSON), plus registrator's helpers `strSlice sIndex
 * mIndex toUpper toLower replace join split splitIndex matchFirstElement
 * matchAllElements httpGet jsonParse`.
 *
 * Template functions are synchronous, so `httpGet` works in rounds: a render
 * that asks for a URL not fetched yet records it and reads as ""; the URLs
 * are then fetched and the template rendered again with the answers.
 */
import { printValue, Template, TemplateError, type TemplateFunc } from '@concord/gotemplate';

export { TemplateError };

type Value = unknown;

export interface CompiledTemplate {
  readonly source: string;
  render(data: Value): Promise<string>;
}

/** Rounds of fetching before a template that keeps asking for new URLs is given up on. */
const MAX_FETCH_ROUNDS = 8;

export function compileTemplate(source: string, fetchText: (url: string) => Promise<string> = defaultFetch): CompiledTemplate {
  let fetched = new Map<string, string>();
  let wanted = new Set<string>();
  const httpGet = (url: string): string => {
    const body = fetched.get(url);
    if (body !== undefined) return body;
    wanted.add(url);
    return '';
  };
  const template = new Template('tags', { foldFieldCase: true, funcs: helperFuncs(httpGet) }).parse(source);
  return {
    source,
    async render(data) {
      const answers = new Map<string, string>();
      for (let round = 0; round < MAX_FETCH_ROUNDS; round++) {
        fetched = answers;
        wanted = new Set();
        const out = template.execute(data);
        const missing = [...wanted];
        if (missing.length === 0) return out;
        for (const url of missing) answers.set(url, await fetchText(url));
      }
      throw new Error(`-tags template still fetching new URLs after ${MAX_FETCH_ROUNDS} rounds`);
    },
  };
}

const str = (v: Value, what: string): string => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Error(`${what} expects a string, got ${printValue(v)}`);
};
const int = (v: Value, what: string): number => {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new Error(`${what} expects an integer, got ${printValue(v)}`);
};
const strings = (v: Value, what: string): string[] => {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x) => str(x, what));
  throw new Error(`${what} expects a list, got ${printValue(v)}`);
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

function helperFuncs(httpGet: (url: string) => string): Record<string, TemplateFunc> {
  return Object.fromEntries([
    [
      'strSlice',
      (v, ...idx) => {
        const s = str(v, 'strSlice');
        const [a, b] = idx.map((x) => int(x, 'strSlice'));
        if (a !== undefined && b === undefined) return s.length >= a ? s.slice(a) : s;
        if (a !== undefined && b !== undefined && s.length >= a && s.length >= b) return b < a ? s.slice(a) : s.slice(a, b);
        return s;
      },
    ],
    ['sIndex', (i, s) => pick(strings(s, 'sIndex'), int(i, 'sIndex'))],
    [
      'mIndex',
      (k, m) => {
        const key = str(k, 'mIndex');
        return m !== null && typeof m === 'object' ? ((m as Record<string, Value>)[key] ?? '') : '';
      },
    ],
    ['toUpper', (v) => str(v, 'toUpper').toUpperCase()],
    ['toLower', (v) => str(v, 'toLower').toLowerCase()],
    [
      'replace',
      (n, oldS, newS, v) => {
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
      },
    ],
    ['join', (sep, s) => strings(s, 'join').join(str(sep, 'join'))],
    ['split', (sep, v) => str(v, 'split').split(str(sep, 'split'))],
    ['splitIndex', (i, sep, v) => pick(str(v, 'splitIndex').split(str(sep, 'splitIndex')), int(i, 'splitIndex'))],
    ['matchFirstElement', (r, s) => strings(s, 'matchFirstElement').find((e) => new RegExp(str(r, 'matchFirstElement')).test(e)) ?? ''],
    ['matchAllElements', (r, s) => strings(s, 'matchAllElements').filter((e) => new RegExp(str(r, 'matchAllElements')).test(e))],
    ['httpGet', (url) => httpGet(str(url, 'httpGet'))],
    [
      'jsonParse',
      (b, k) => {
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
      },
    ],
  ] satisfies Array<[string, (...args: Value[]) => unknown]>);
}
