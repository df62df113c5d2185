import type { Command } from '../command.js';
import { parseCommandLine } from '../flags.js';
import type { Io } from '../io.js';

export const validate: Command = {
  synopsis: 'Validate config files/directories',
  help: () => `Usage: concord validate [options] FILE_OR_DIRECTORY...

  Performs a basic sanity test on Concord configuration files. For each file
  or directory given, the validate command will attempt to parse the contents
  just as the "concord agent" command would, and catch any errors.

  This is useful to do a test of the configuration only, without actually
  starting the agent. This performs all of the validation the agent would, so
  this should be given the complete set of configuration files that are going
  to be loaded by the agent. This command cannot operate on partial
  configuration fragments since those won't pass the full agent validation.

  Returns 0 if the configuration is valid, or 1 if there are problems.

      $ concord validate -config-file=/etc/concord/config.json
      $ concord validate /etc/concord/config.d

Command Options

  -quiet            When given, a successful run will produce no output.`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, { quiet: { kind: 'boolean' }, 'config-file': { kind: 'list' }, 'config-dir': { kind: 'list' } }, io, {});
    if (!line) return 1;
    const paths = [...line.flags.list('config-file'), ...line.flags.list('config-dir'), ...line.args];
    if (paths.length === 0) {
      io.err('Must specify at least one config file or directory');
      return 1;
    }
    // The agent's config loader is heavy (it brings the agent); load it only when validating.
    const { ConfigError, validateConfigPaths } = await import('@concord/agent');
    try {
      validateConfigPaths(paths);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      io.err(`Config validation failed: ${err.message}`);
      return 1;
    }
    if (!line.flags.bool('quiet')) io.out('Configuration is valid!');
    return 0;
  },
};
