/**
 * Run as a child process by `hcl.ts`: parses one HCL file with HashiCorp's HCL parser compiled
 * to WebAssembly (`@cdktn/hcl2json`, the maintained continuation of the archived
 * `@cdktf/hcl2json`; asynchronous) and prints it as JSON, or the parse error on stderr.
 */
import { readFileSync } from 'node:fs';

// Loaded by name so its type declarations (which pull in the DOM library) stay out of the build.
const HCL_PARSER: string = '@cdktn/hcl2json';
const { parse } = (await import(HCL_PARSER)) as { parse(file: string, contents: string): Promise<unknown> };

const path = process.argv[2] ?? '';
try {
  const value: unknown = await parse(path, readFileSync(path, 'utf8'));
  process.stdout.write(JSON.stringify(value));
} catch (err) {
  process.stderr.write(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
