import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory of the built web UI (index.html and hashed assets), made by `npm run build`. */
export function uiAssetsDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'www');
}

/** Whether the UI has been built (its index.html exists). */
export function uiBuilt(dir: string = uiAssetsDir()): boolean {
  return existsSync(join(dir, 'index.html'));
}
