/**
 * The template functions that read Consul data (and the environment and
 * files). They are synchronous: each looks its dependency up in the data
 * fetched so far; when it has not arrived, the render is marked incomplete and
 * the function returns an empty value, and the runner renders again once the
 * watcher has it (consul-template's model).
 */
import { readFileSync, statSync } from 'node:fs';
import type { TemplateFunc } from '@concord/gotemplate';
import {
  catalogNodeDependency,
  catalogNodesDependency,
  catalogServicesDependency,
  datacentersDependency,
  type Dependency,
  type KeyPair,
  kvGetDependency,
  kvListDependency,
  serviceDependency,
  topLevel,
} from './dependencies.js';
import type { Scratch } from './helpers.js';

/** What one render reads through: the shared data, and a record of what it used and lacked. */
export interface RenderContext {
  /** Looks a dependency up; `ok: false` when its data has not arrived yet. */
  lookup(dep: Dependency): { readonly ok: boolean; readonly value?: unknown };
  /** Marks the render as incomplete (not to be written). */
  incomplete(reason: string): void;
  readonly env: NodeJS.ProcessEnv;
  /** Renders another named template of the same set. */
  executeTemplate(name: string, data: unknown): string;
  /** The render's scratchpad. */
  readonly scratch: Scratch;
}

/** Largest file the `file` function reads. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

function str(v: unknown, fn: string): string {
  if (typeof v !== 'string') throw new Error(`${fn}: expected a string argument`);
  return v;
}

/** Template functions bound to whatever render context `current()` returns. */
export function consulFuncs(current: () => RenderContext): Record<string, TemplateFunc> {
  const read = (dep: Dependency): { ok: boolean; value?: unknown } => {
    const ctx = current();
    const r = ctx.lookup(dep);
    if (!r.ok) ctx.incomplete(dep.key);
    return r;
  };
  return {
    service: (...args: unknown[]) => {
      if (args.length < 1 || args.length > 2) throw new Error(`service: expected 1 or 2 arguments, got ${args.length}`);
      const r = read(serviceDependency(str(args[0], 'service'), args[1] === undefined ? undefined : str(args[1], 'service')));
      return r.ok ? r.value : [];
    },
    services: (...args: unknown[]) => {
      if (args.length > 1) throw new Error(`services: expected 0 or 1 arguments, got ${args.length}`);
      const r = read(catalogServicesDependency(args[0] === undefined ? undefined : str(args[0], 'services')));
      return r.ok ? r.value : [];
    },
    nodes: (...args: unknown[]) => {
      if (args.length > 1) throw new Error(`nodes: expected 0 or 1 arguments, got ${args.length}`);
      const r = read(catalogNodesDependency(args[0] === undefined ? undefined : str(args[0], 'nodes')));
      return r.ok ? r.value : [];
    },
    node: (...args: unknown[]) => {
      const query = args.map((a) => str(a, 'node')).join('');
      const r = read(catalogNodeDependency(query));
      return r.ok ? r.value : undefined;
    },
    datacenters: (...args: unknown[]) => {
      if (args.length > 1) throw new Error(`datacenters: expected 0 or 1 arguments, got ${args.length}`);
      if (args.length === 1 && typeof args[0] !== 'boolean') throw new Error('datacenters: the argument must be a boolean (ignore failing datacenters)');
      const r = read(datacentersDependency(args[0] === true));
      return r.ok ? r.value : [];
    },
    key: (k: unknown) => {
      const r = read(kvGetDependency(str(k, 'key')));
      if (r.ok && r.value === undefined) current().incomplete(`key ${str(k, 'key')} does not exist`);
      return r.ok ? (r.value ?? '') : '';
    },
    keyOrDefault: (k: unknown, def: unknown) => {
      const r = read(kvGetDependency(str(k, 'keyOrDefault')));
      return r.ok && r.value !== undefined ? r.value : str(def, 'keyOrDefault');
    },
    keyExists: (k: unknown) => {
      const r = read(kvGetDependency(str(k, 'keyExists')));
      return r.ok && r.value !== undefined;
    },
    ls: (prefix: unknown) => {
      const r = read(kvListDependency(str(prefix, 'ls')));
      return r.ok ? topLevel(r.value as KeyPair[]) : [];
    },
    safeLs: (prefix: unknown) => {
      const r = read(kvListDependency(str(prefix, 'safeLs')));
      const pairs = r.ok ? topLevel(r.value as KeyPair[]) : [];
      if (r.ok && pairs.length === 0) current().incomplete(`safeLs ${str(prefix, 'safeLs')} is empty`);
      return pairs;
    },
    tree: (prefix: unknown) => {
      const r = read(kvListDependency(str(prefix, 'tree')));
      return r.ok ? r.value : [];
    },
    safeTree: (prefix: unknown) => {
      const r = read(kvListDependency(str(prefix, 'safeTree')));
      const pairs = r.ok ? (r.value as KeyPair[]) : [];
      if (r.ok && pairs.length === 0) current().incomplete(`safeTree ${str(prefix, 'safeTree')} is empty`);
      return pairs;
    },
    env: (name: unknown) => current().env[str(name, 'env')] ?? '',
    file: (path: unknown) => {
      const p = str(path, 'file');
      let size: number;
      try {
        size = statSync(p).size;
      } catch {
        current().incomplete(`file ${p} does not exist`);
        return '';
      }
      if (size > MAX_FILE_BYTES) throw new Error(`file: ${p} is larger than ${MAX_FILE_BYTES} bytes`);
      return readFileSync(p, 'utf8');
    },
    executeTemplate: (name: unknown, ...data: unknown[]) => {
      if (data.length > 1) throw new Error(`executeTemplate: expected 1 or 2 arguments, got ${data.length + 1}`);
      return current().executeTemplate(str(name, 'executeTemplate'), data[0]);
    },
    scratch: () => current().scratch,
  };
}
