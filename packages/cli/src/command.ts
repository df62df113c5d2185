/** The shape every command implements. */
import type { Io } from './io.js';

export interface Command {
  /** One line shown in the list of commands. */
  readonly synopsis: string;
  /** Full help text for `-h`. */
  help(): string;
  /**
   * Runs the command with the arguments after its name. Returns the exit code,
   * or {@link SHOW_HELP} to have the dispatcher print the help to stderr and exit 1.
   */
  run(args: readonly string[], io: Io): Promise<number>;
}

/** Returned by group commands called without a subcommand. */
export const SHOW_HELP = -1;
