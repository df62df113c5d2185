/**
 * The documentation a clone has must stand on its own: every file a Markdown page names exists
 * in the repository, no link leaves it, and every function the architecture walk-through names
 * beside a file appears in one of the files named with it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import test from 'ava';
import { ROOT } from './_agent.js';

const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.tmp', 'artifacts', 'coverage']);
const MAX_FILES = 20_000;

/** Every file in the repository (repository-relative, `/`-separated), build output left out. */
function repositoryFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (out.length >= MAX_FILES) throw new Error(`more than ${MAX_FILES} files under ${ROOT}`);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(join(dir, entry.name));
      } else if (entry.isFile()) {
        out.push(relative(ROOT, join(dir, entry.name)).split(sep).join('/'));
      }
    }
  };
  walk(ROOT);
  return out;
}

const FILES = repositoryFiles();
const DIRS = new Set(
  FILES.flatMap((f) =>
    f
      .split('/')
      .slice(0, -1)
      .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
  ),
);
const MARKDOWN = FILES.filter((f) => f.endsWith('.md'));
/** The pages whose file mentions are checked: docs/ and every README. */
const DOC_PAGES = MARKDOWN.filter((f) => f.startsWith('docs/') || f === 'README.md' || /^packages\/[^/]+\/README\.md$/.test(f));

/** Folders `.gitignore` names (build and test output): a page may mention what is made there. */
const GENERATED = readFileSync(join(ROOT, '.gitignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l.endsWith('/') && !l.startsWith('#'));

function generated(path: string): boolean {
  return GENERATED.some((g) => (g.slice(0, -1).includes('/') ? path.startsWith(g) : path.split('/').includes(g.slice(0, -1))));
}

const FILE_MENTION = /^(?:\.{1,2}\/)*[\w@.-]+(?:\/[\w@.*-]+)*\.(?:ts|mjs|js|json|proto|md)$/;
const TOP_LEVEL = /^(?:packages|test|proto|docs|bench)(?:\/[\w@.*-]+)*\/?$/;

function read(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8');
}

function codeSpans(text: string): string[] {
  return [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] as string);
}

/** True when `path` (repository-relative, `*` matching within one segment) names a file or folder. */
function existsInRepository(path: string): boolean {
  const clean = path.replace(/\/$/, '');
  if (!clean.includes('*')) return FILES.includes(clean) || DIRS.has(clean);
  const re = new RegExp(
    `^${clean
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  );
  return FILES.some((f) => re.test(f)) || [...DIRS].some((d) => re.test(d));
}

/** Resolves `target` against the folder of `page`; undefined when it leaves the repository. */
function resolveFrom(page: string, target: string): string | undefined {
  const abs = resolve(ROOT, dirname(page), target);
  const rel = relative(ROOT, abs);
  if (rel.startsWith('..') || resolve(ROOT, rel) !== abs) return undefined;
  return rel.split(sep).join('/');
}

/**
 * Where a mention may point: from the repository root, from the page's folder, or (for a short
 * name or a path within a package or the repository) the end of some file's path under the page's
 * package (or anywhere, for pages outside packages/).
 */
function mentionExists(page: string, mention: string): boolean {
  if (mention.startsWith('./') || mention.startsWith('../')) {
    const rel = resolveFrom(page, mention);
    return rel !== undefined && existsInRepository(rel);
  }
  if (existsInRepository(mention)) return true;
  const fromPage = resolveFrom(page, mention);
  if (fromPage !== undefined && existsInRepository(fromPage)) return true;
  if (page.startsWith('docs/') && mention.includes('/')) return false;
  const scope = /^packages\/[^/]+\//.exec(page)?.[0] ?? '';
  const tail = mention.replace(/\/$/, '');
  const re = new RegExp(
    `(^|/)${tail
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  );
  return [...FILES, ...DIRS].some((f) => f.startsWith(scope) && re.test(f));
}

test('every file a documentation page names in code spans exists in the repository', (t) => {
  t.true(DOC_PAGES.includes('docs/architecture.md'), 'docs/architecture.md is one of the checked pages');
  const missing: string[] = [];
  let checked = 0;
  for (const page of DOC_PAGES) {
    for (const span of codeSpans(read(page))) {
      if (!FILE_MENTION.test(span) && !TOP_LEVEL.test(span)) continue;
      checked++;
      if (!generated(span) && !mentionExists(page, span)) missing.push(`${page}: \`${span}\``);
    }
  }
  t.true(checked > 50, `only ${checked} file mentions found`);
  t.deepEqual(missing, [], 'files named in documentation but not in the repository');
});

test('every Markdown file named in any Markdown page is in the repository', (t) => {
  const missing: string[] = [];
  for (const page of MARKDOWN) {
    const text = read(page).replace(/\]\([^)]*\)/g, ']');
    for (const m of text.matchAll(/(?:^|[\s(`'"])((?:\.{0,2}\/)?[\w@./-]*[\w-]\.md)\b/gm)) {
      const name = m[1] as string;
      if (!mentionExists(page, name)) missing.push(`${page}: ${name}`);
    }
  }
  t.deepEqual(missing, [], 'Markdown files named but not in the repository');
});

test('every Markdown file a source file names is in the repository', (t) => {
  const sources = FILES.filter((f) => /\.(?:ts|mjs|js)$/.test(f) && !/(^|\/)gen\//.test(f));
  t.true(sources.length > 100, `only ${sources.length} source files found`);
  const missing: string[] = [];
  for (const file of sources) {
    for (const m of read(file).matchAll(/(?:^|[\s(`'"])((?:\.{0,2}\/)?[\w@./-]*[\w-]\.md)\b/gm)) {
      const name = m[1] as string;
      if (!mentionExists(file, name)) missing.push(`${file}: ${name}`);
    }
  }
  t.deepEqual(missing, [], 'Markdown files named in source files but not in the repository');
});

test('no Markdown link leaves the repository or points at a missing file', (t) => {
  const bad: string[] = [];
  let links = 0;
  for (const page of MARKDOWN) {
    const text = read(page);
    const targets = [
      ...[...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1] as string),
      ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1] as string),
      ...[...text.matchAll(/<a\s[^>]*href="([^"]+)"/g)].map((m) => m[1] as string),
    ];
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
      links++;
      const path = decodeURIComponent(target.split('#')[0] as string);
      const rel = path.startsWith('/') ? undefined : resolveFrom(page, path);
      if (rel === undefined) bad.push(`${page}: ${target} leaves the repository`);
      else if (!existsInRepository(rel) && rel !== '') bad.push(`${page}: ${target} does not exist`);
    }
  }
  t.true(links >= 3, `only ${links} relative links found`);
  t.deepEqual(bad, []);
});

/** Blocks of a page: a top-level list item or paragraph with the lines indented under it. */
function blocks(text: string): string[] {
  const out: string[] = [];
  let current: string[] = [];
  for (const line of text.split('\n')) {
    const starts = line.trim() === '' || /^(?:[-*] |\d+\. |#|\*\*|\|)/.test(line);
    if (starts && current.length > 0) {
      out.push(current.join('\n'));
      current = [];
    }
    if (line.trim() !== '') current.push(line);
  }
  if (current.length > 0) out.push(current.join('\n'));
  return out;
}

test('every function the architecture page names appears in a file named beside it', (t) => {
  const missing: string[] = [];
  let checked = 0;
  for (const page of DOC_PAGES.filter((p) => p.startsWith('docs/'))) {
    for (const block of blocks(read(page))) {
      const spans = codeSpans(block);
      const files = spans.filter((s) => FILE_MENTION.test(s) && existsInRepository(s) && !s.endsWith('.md'));
      if (files.length === 0) continue;
      const sources = files.map(read);
      for (const span of spans) {
        const m = /^([\w#]+(?:\.[\w#]+)*)\(\)$/.exec(span);
        if (!m) continue;
        const name = (m[1] as string).split('.').pop() as string;
        checked++;
        const found = sources.some((src) => new RegExp(`(^|[^\\w#])${name}\\s*(<[^>]*>)?\\s*[(=:]`, 'm').test(src));
        if (!found) missing.push(`${page}: ${span} (files: ${files.join(', ')})`);
      }
    }
  }
  t.true(checked > 40, `only ${checked} function mentions found`);
  t.deepEqual(missing, []);
});
