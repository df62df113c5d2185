/**
 * The built UI (`npm run build`) is self-contained and small: index.html names only files of the
 * build, nothing refers to another host, and all of it is at most 150 KB gzipped.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import { uiAssetsDir, uiBuilt } from '../src/index.js';

const MAX_GZIPPED_BYTES = 150 * 1024;
/** XML namespace names are identifiers, not addresses anything is fetched from. */
const NAMESPACES = new Set([
  'http://www.w3.org/2000/svg',
  'http://www.w3.org/1999/xhtml',
  'http://www.w3.org/1998/Math/MathML',
  'http://www.w3.org/1999/xlink',
  'http://www.w3.org/XML/1998/namespace',
]);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const dir = uiAssetsDir();

test('the UI is built into the package', (t) => {
  t.true(uiBuilt(), `no index.html in ${dir}: run npm run build`);
});

test('index.html loads only hashed files of the build, from /ui/assets/', (t) => {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string).filter((r) => !r.startsWith('data:'));
  t.is(refs.length, 2, refs.join(', '));
  for (const ref of refs) {
    t.regex(ref, /^\/ui\/assets\/app-[A-Z0-9]{8}\.(js|css)$/);
    t.true(statSync(join(dir, ref.slice('/ui/'.length))).isFile(), ref);
  }
});

test('no file of the build refers to another host', (t) => {
  for (const f of files(dir)) {
    const text = readFileSync(f, 'utf8');
    const urls = [...text.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"'`)]*/gi)].map((m) => m[0]).filter((u) => !NAMESPACES.has(u));
    t.deepEqual(urls, [], relative(dir, f));
  }
});

test('all of the UI is at most 150 KB gzipped', (t) => {
  let total = 0;
  for (const f of files(dir)) {
    const size = gzipSync(readFileSync(f), { level: 9 }).length;
    t.log(`${relative(dir, f)}: ${size} bytes gzipped`);
    total += size;
  }
  t.log(`total: ${total} bytes gzipped`);
  t.true(total <= MAX_GZIPPED_BYTES, `${total} > ${MAX_GZIPPED_BYTES}`);
});
