import type { Command } from '../command.js';
import { parseCommandLine } from '../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, httpClient, messageOf } from '../http-flags.js';
import type { Io } from '../io.js';
import { byteOrder } from './catalog/services.js';

export const info: Command = {
  synopsis: 'Provides debugging information for operators.',
  help: () => `Usage: concord info [options]

  Provides debugging information for operators
${CLIENT_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, CLIENT_FLAGS, io);
    if (!line) return 1;
    const { client } = httpClient(line.flags, io);
    let stats: unknown;
    try {
      const self = await client.agent.self();
      if (!('Stats' in self)) {
        io.err("Agent response did not contain 'Stats' key");
        return 1;
      }
      stats = self.Stats;
    } catch (err) {
      io.err(`Error querying agent: ${messageOf(err)}`);
      return 1;
    }
    const sections = (stats ?? {}) as Record<string, unknown>;
    for (const name of Object.keys(sections).sort(byteOrder)) {
      io.out(`${name}:`);
      const section = sections[name];
      if (section === null || typeof section !== 'object' || Array.isArray(section)) {
        io.err(`Got invalid subkey in stats: ${JSON.stringify(section)}`);
        return 1;
      }
      const values = section as Record<string, unknown>;
      for (const key of Object.keys(values).sort(byteOrder)) {
        const value = values[key];
        io.out(`\t${key} = ${typeof value === 'string' ? value : JSON.stringify(value)}`);
      }
    }
    return 0;
  },
};
