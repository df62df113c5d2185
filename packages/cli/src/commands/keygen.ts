import { randomBytes } from 'node:crypto';
import type { Command } from '../command.js';
import { parseCommandLine } from '../flags.js';
import type { Io } from '../io.js';

/** Gossip keys are AES-256 keys: 32 random bytes. */
const KEY_BYTES = 32;

export const keygen: Command = {
  synopsis: 'Generates a new encryption key',
  help: () => `Usage: concord keygen

  Generates a new encryption key that can be used to configure the
  agent to encrypt traffic. The output of this command is already
  in the proper format that the agent expects.`,

  async run(args: readonly string[], io: Io): Promise<number> {
    if (!parseCommandLine(args, {}, io)) return 1;
    io.out(randomBytes(KEY_BYTES).toString('base64'));
    return 0;
  },
};
