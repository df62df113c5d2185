import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('the committed generated protobuf code matches proto/raft.proto', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'raft-ts-gen-'));
  t.teardown(() => rm(out, { recursive: true, force: true }));
  execFileSync(process.execPath, [join(pkg, 'scripts', 'gen-proto.mjs'), out], { stdio: 'pipe' });
  const files = (await readdir(out, { recursive: true })).filter((f) => f.endsWith('.ts')).sort();
  t.true(files.length > 5);
  for (const f of files) {
    const fresh = await readFile(join(out, f), 'utf8');
    const committed = await readFile(join(pkg, 'src', 'gen', f), 'utf8').catch(() => '(missing)');
    t.is(committed, fresh, `src/gen/${f} is stale: run npm run gen:proto -w raft-ts`);
  }
});
