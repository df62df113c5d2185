/** Builds an `acl` subcommand: flags, one-line errors, `-format`, and the client from the common flags. */
import type { FlagSpecs } from '@concord/goflags';
import { FlagError } from '@concord/goflags';
import type { Command } from '../../command.js';
import { type Arity, type CommandLine, parseCommandLine } from '../../flags.js';
import { CLIENT_FLAGS_HELP, type HttpSettings, httpClient, messageOf } from '../../http-flags.js';
import type { Io } from '../../io.js';
import { ACL_FLAGS, FORMAT_HELP, formatOf } from './common.js';

export interface AclCommandSpec {
  synopsis: string;
  usage: string;
  /** Help for the command's own flags. */
  flagsHelp?: string;
  flags?: FlagSpecs;
  arity?: Arity;
  /** What failed, as the first words of the error line (`Failed to create new policy`). */
  failure: string;
  run(line: CommandLine, http: HttpSettings, io: Io, format: 'pretty' | 'json'): Promise<void>;
}

export function aclCommand(spec: AclCommandSpec): Command {
  const specs = { ...ACL_FLAGS, ...(spec.flags ?? {}) };
  return {
    synopsis: spec.synopsis,
    help: () => `Usage: ${spec.usage}

  ${spec.synopsis}
${spec.flagsHelp ?? ''}${FORMAT_HELP}
${CLIENT_FLAGS_HELP}`,
    async run(args: readonly string[], io: Io): Promise<number> {
      const line = parseCommandLine(args, specs, io, spec.arity ?? { max: 0 });
      if (!line) return 1;
      try {
        const format = formatOf(line.flags);
        const http = httpClient(line.flags, io);
        await spec.run(line, http, io, format);
        return 0;
      } catch (err) {
        io.err(err instanceof FlagError ? err.message : `${spec.failure}: ${messageOf(err)}`);
        return 1;
      }
    },
  };
}
