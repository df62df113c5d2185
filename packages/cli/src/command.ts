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

/** Imports a command's module and returns the command. */
export type LoadCommand = () => Promise<Command>;

/** Commands by full name (`kv put`), each loaded on demand. */
export type CommandTable = ReadonlyMap<string, LoadCommand>;
