import { readFileSync } from 'node:fs';
import type { Command } from '../command.js';
import { parseCommandLine } from '../flags.js';
import type { Io } from '../io.js';

/** Gossip protocol versions, as `consul version` reports them. */
const PROTOCOL = { Default: 2, Min: 2, Max: 3 };

export const version: Command = {
  synopsis: 'Prints the Concord version',
  help: () => `Usage: concord version [options]

Command Options

  -format=<pretty|json>
                    Output format. The default is pretty.`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, { format: { kind: 'string' } }, io, {});
    if (!line) return 1;
    const format = line.flags.string('format', 'pretty');
    const ver = cliVersion();
    if (format === 'json') {
      io.out(JSON.stringify({ Version: ver, Revision: '', Prerelease: '', BuildDate: '', RPC: PROTOCOL }, null, 4));
      return 0;
    }
    if (format !== 'pretty') {
      io.err(`Invalid format: ${format}`);
      return 1;
    }
    io.out(`Concord v${ver}`);
    io.out(
      `Protocol ${PROTOCOL.Default} spoken by default, understands ${PROTOCOL.Min} to ${PROTOCOL.Max} ` +
        `(agent will automatically use protocol >${PROTOCOL.Default} when speaking to compatible agents)`,
    );
    return 0;
  },
};

/** The version in this package's package.json. */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}
