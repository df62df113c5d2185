import test from 'ava';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InteractionEnv } from './_interaction-env.js';

// Scripts live beside the sources (test/interaction/*.txt); this file runs from dist/test/.
const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'interaction');

interface Block {
  command: string;
  expected: string;
}

function parse(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) {
      i++;
      continue;
    }
    const command = line;
    i++;
    if (lines[i] !== '----') throw new Error(`expected ---- after "${command}" at line ${i + 1}`);
    i++;
    const out: string[] = [];
    while (i < lines.length && lines[i] !== '') out.push(lines[i++]!);
    blocks.push({ command, expected: out.join('\n') });
  }
  return blocks;
}

function runScript(text: string): { blocks: Block[]; actual: string[] } {
  const env = new InteractionEnv();
  const blocks = parse(text);
  const actual = blocks.map((b) => {
    const [cmd, ...rest] = b.command.trim().split(/\s+/);
    const args: string[] = [];
    const kv = new Map<string, string>();
    for (const r of rest) {
      const eq = r.indexOf('=');
      if (eq > 0) kv.set(r.slice(0, eq), r.slice(eq + 1));
      else args.push(r);
    }
    const lines = env.run(cmd!, args, kv);
    return lines.length > 0 ? lines.join('\n') : 'ok';
  });
  return { blocks, actual };
}

function render(text: string, actual: string[]): string {
  // Rewrite the script keeping comments and commands, replacing each output.
  const lines = text.split('\n');
  const out: string[] = [];
  let i = 0;
  let b = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) {
      out.push(line);
      i++;
      continue;
    }
    out.push(line, '----', actual[b++]!);
    i += 2;
    while (i < lines.length && lines[i] !== '') i++;
  }
  return out.join('\n');
}

for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.txt'))
  .sort()) {
  test(`interaction script ${file} produces its expected output`, (t) => {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    const { blocks, actual } = runScript(text);
    if (process.env.UPDATE_GOLDEN === '1') {
      writeFileSync(path, render(text, actual));
      t.pass();
      return;
    }
    blocks.forEach((blk, i) => {
      t.is(actual[i], blk.expected, `command "${blk.command}" in ${file}`);
    });
  });
}
