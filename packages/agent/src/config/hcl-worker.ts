/**
 * Run as a child process by `hcl.ts`: parses one HCL file with HashiCorp's HCL parser compiled
 * to WebAssembly (`@cdktn/hcl2json`, the maintained continuation of the archived
 * `@cdktf/hcl2json`; asynchronous) and prints it as JSON, or the parse error on stderr. A file
 * HCL 2 refuses is tried once more with its one-line blocks split as HCL 1 (Consul's parser)
 * reads them; if that fails too, the first error is the one reported.
 */
import { readFileSync } from 'node:fs';
import { splitOneLineBlocks } from './hcl1-blocks.js';

// Loaded by name so its type declarations (which pull in the DOM library) stay out of the build.
const HCL_PARSER: string = '@cdktn/hcl2json';
const { parse } = (await import(HCL_PARSER)) as { parse(file: string, contents: string): Promise<unknown> };

const path = process.argv[2] ?? '';
try {
  const text = readFileSync(path, 'utf8');
  let value: unknown;
  try {
    value = await parse(path, text);
  } catch (err) {
    const split = splitOneLineBlocks(text);
    if (split === text) throw err;
    value = await parse(path, split).catch(() => {
      throw err;
    });
  }
  process.stdout.write(JSON.stringify(value));
} catch (err) {
  process.stderr.write(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
