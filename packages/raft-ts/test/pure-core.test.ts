import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const coreDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'core');
const banned: [RegExp, string][] = [
  [/Math\.random/, 'Math.random'],
  [/Date\.now|new Date\(/, 'the wall clock'],
  [/performance\.now|process\.hrtime/, 'a clock'],
  [/setTimeout|setInterval|setImmediate|queueMicrotask/, 'timers'],
  [/from ['"]node:/, 'Node built-in modules (I/O)'],
  [/\bawait\b|\basync\b/, 'asynchronous code'],
];

test('the core uses no clock, timer, randomness, I/O or asynchronous code (docs/architecture.md, Packages)', (t) => {
  const files = readdirSync(coreDir).filter((f) => f.endsWith('.ts'));
  t.true(files.length >= 10);
  for (const f of files) {
    const src = readFileSync(join(coreDir, f), 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
    for (const [re, what] of banned) t.false(re.test(src), `src/core/${f} uses ${what}`);
  }
});
