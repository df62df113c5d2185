/**
 * The agent's folders form a one-way import graph: no folder of packages/agent/src imports, directly
 * or through others, a folder that imports it back. The graph is read from the built JavaScript
 * (dist/src), so it is the graph of modules that load each other at run time; type-only imports are
 * erased by the compiler and do not count. Files at the top of src/ (agent.ts, agent-context.ts, ...)
 * count as nodes of their own. The intended layering is in the package README.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** This file runs as dist/test/import-graph.test.js; the built sources are in dist/src. */
const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(PACKAGE, 'dist', 'src');
/** Built files are read only for sources that exist, so stale output of a moved file is ignored. */
const TS_SRC = join(PACKAGE, 'src');

/** The node a source file belongs to: its top folder under src/, or the file itself at the top. */
function nodeOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length > 1 ? `${parts[0]}/` : parts[0]!;
}

function builtFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return builtFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(SRC, relative(TS_SRC, p)).replace(/\.ts$/, '.js')] : [];
  });
}

/** Folder-level edges, each with one file:specifier that makes it, for the failure message. */
export function folderEdges(src: string): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  for (const file of builtFiles(TS_SRC)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolve(dirname(file), fileName);
      if (!target.startsWith(src + sep)) continue;
      const from = nodeOf(file);
      const to = nodeOf(target);
      if (from === to) continue;
      const out = edges.get(from) ?? new Map<string, string>();
      if (!out.has(to)) out.set(to, `${relative(src, file)} imports ${fileName}`);
      edges.set(from, out);
    }
  }
  return edges;
}

/** Strongly connected components with more than one node (Tarjan's algorithm). */
export function cycles(edges: Map<string, Map<string, string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const nodes = new Set<string>([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])]);
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!index.has(v)) visit(v);
  return found;
}

test('the folders of the agent import each other one way only', (t) => {
  const edges = folderEdges(SRC);
  t.true(edges.size > 10, 'the source tree was read');
  const report = cycles(edges).map((scc) => {
    const inner = scc.flatMap((a) => scc.filter((b) => edges.get(a)?.has(b)).map((b) => `  ${a} -> ${b}: ${edges.get(a)!.get(b)}`));
    return `cycle among ${scc.join(', ')}\n${inner.join('\n')}`;
  });
  if (report.length > 0) t.fail(report.join('\n'));
  else t.pass();
});

test('a cycle between two folders is found', (t) => {
  const edges = new Map([
    ['a/', new Map([['b/', 'a/x.ts imports ../b/y.js']])],
    ['b/', new Map([['c/', 'b/y.ts imports ../c/z.js']])],
    ['c/', new Map([['a/', 'c/z.ts imports ../a/x.js']])],
    ['d/', new Map([['a/', 'd/w.ts imports ../a/x.js']])],
  ]);
  t.deepEqual(cycles(edges), [['a/', 'b/', 'c/']]);
  edges.get('c/')!.clear();
  t.deepEqual(cycles(edges), []);
});
