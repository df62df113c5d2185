/**
 * The `concord` command line. `main(argv)` runs one command and resolves to
 * its exit code; `bin/concord.js` calls it with `process.argv.slice(2)`.
 */
import { COMMANDS } from './commands.js';
import { dispatch, usage } from './dispatch.js';
import { type Io, processIo } from './io.js';

export type { Command } from './command.js';
export type { Io } from './io.js';
export { columnize } from './format/columnize.js';
export { tabwrite } from './format/tabwriter.js';

export function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  return dispatch(argv, COMMANDS, io, () => usage('concord', COMMANDS));
}
