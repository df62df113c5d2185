#!/usr/bin/env node
// Regenerates src/gen/ from proto/agent.proto (see proto/gen.mjs).
// `node scripts/gen-proto.mjs [outDir]` (default src/gen).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = process.argv[2] ?? join(pkg, 'src', 'gen');
execFileSync(process.execPath, [join(pkg, '..', '..', 'proto', 'gen.mjs'), 'agent.proto', outDir, 'agent'], { stdio: 'inherit' });
