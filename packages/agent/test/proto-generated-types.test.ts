import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('the committed generated protobuf code matches proto/agent.proto', (t) => {
  const gen = join(pkg, '..', '..', 'proto', 'gen.mjs');
  const r = spawnSync(process.execPath, [gen, '--check', 'agent.proto', join(pkg, 'src', 'gen'), 'agent'], { encoding: 'utf8' });
  t.is(r.status, 0, `${r.stderr}run: npm run gen:proto -w @concord/agent`);
});
