import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'ava';

// Tests run from dist/test; the sources sit two levels up.
const coreDir = fileURLToPath(new URL('../../src/core/', import.meta.url));

test('the core uses no clock, timers, randomness or I/O of its own', (t) => {
  const files = readdirSync(coreDir).filter((f) => f.endsWith('.ts'));
  t.true(files.length >= 8);
  const banned = [/Math\.random/, /Date\.now/, /performance\.now/, /setTimeout/, /setInterval/, /setImmediate/, /from 'node:/, /process\./];
  for (const f of files) {
    const src = readFileSync(`${coreDir}${f}`, 'utf8');
    for (const re of banned) t.false(re.test(src), `${f} matches ${re}`);
  }
});
