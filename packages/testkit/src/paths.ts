import { fileURLToPath } from 'node:url';

/** Repository root (this file runs from packages/testkit/dist/src/). */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** The `concord` binary. */
export const BIN = fileURLToPath(new URL('../../../../packages/cli/bin/concord.js', import.meta.url));
