/**
 * Finds the command named by the arguments and runs it, with the conventions
 * of Consul's CLI: `-h`/`-help`/`--help` anywhere print help (exit 0), no
 * command or an unknown one prints the command list (exit 127), a group
 * without a subcommand prints its help to stderr (exit 1).
 */
import { FlagError } from '@concord/goflags';
import { type Command, type CommandTable, SHOW_HELP } from './command.js';
import type { Io } from './io.js';

export interface Lookup {
  /** The full command name, e.g. `kv put`; empty when none matched. */
  readonly name: string;
  /** Whether `name` is a command; its module is not loaded yet. */
  readonly found: boolean;
  readonly args: readonly string[];
  readonly help: boolean;
  readonly version: boolean;
}

const HELP_FLAGS = new Set(['-h', '-help', '--help']);
const VERSION_FLAGS = new Set(['-v', '-version', '--version']);

export function lookup(argv: readonly string[], commands: CommandTable): Lookup {
  let help = false;
  let version = false;
  let start = -1;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') break;
    if (HELP_FLAGS.has(arg)) help = true;
    else if (start === -1 && VERSION_FLAGS.has(arg)) version = true;
    else if (start === -1 && arg !== '' && !arg.startsWith('-')) start = i;
  }
  if (start === -1) return { name: '', found: false, args: [], help, version };
  // Longest run of words that names a command: "operator raft list-peers".
  let name = '';
  let end = start;
  for (let j = start; j < argv.length; j++) {
    const word = argv[j] as string;
    if (word.startsWith('-') || word.includes(' ')) break;
    const candidate = name === '' ? word : `${name} ${word}`;
    if (!commands.has(candidate)) break;
    name = candidate;
    end = j + 1;
  }
  if (name === '') return { name: argv[start] as string, found: false, args: [], help, version };
  const args = [...argv.slice(0, start), ...argv.slice(end)].filter((a) => !HELP_FLAGS.has(a));
  return { name, found: true, args, help, version };
}

export async function dispatch(argv: readonly string[], commands: CommandTable, io: Io, mainHelp: () => Promise<string>): Promise<number> {
  const found = lookup(argv, commands);
  if (!found.found) {
    if (found.version && found.name === '') return runCommand(await load(commands, 'version'), [], io);
    io.out(await mainHelp());
    return found.help && found.name === '' ? 0 : 127;
  }
  const command = await load(commands, found.name);
  if (found.help) {
    io.out(await commandHelp(found.name, command, commands));
    return 0;
  }
  const code = await runCommand(command, found.args, io);
  if (code === SHOW_HELP) {
    io.err(await commandHelp(found.name, command, commands));
    return 1;
  }
  return code;
}

/** Imports the module of the command named `name`, which the table must hold. */
function load(commands: CommandTable, name: string): Promise<Command> {
  const loader = commands.get(name);
  if (!loader) throw new Error(`no command named "${name}"`);
  return loader();
}

async function runCommand(command: Command, args: readonly string[], io: Io): Promise<number> {
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof FlagError) {
      io.err(err.message);
      return 1;
    }
    throw err;
  }
}

/** The synopses of the named commands, loading their modules. */
async function synopses(commands: CommandTable, names: readonly string[]): Promise<string[]> {
  return Promise.all(names.map(async (n) => (await load(commands, n)).synopsis));
}

/** A command's help, plus the list of its subcommands when it has any. */
export async function commandHelp(name: string, command: Command, commands: CommandTable): Promise<string> {
  const subs = [...commands.keys()].filter((n) => n.startsWith(`${name} `) && !n.slice(name.length + 1).includes(' ')).sort();
  let text = command.help().trim();
  if (subs.length > 0) {
    const width = Math.max(...subs.map((s) => s.length - name.length - 1));
    const lines = await synopses(commands, subs);
    text += '\n\nSubcommands:\n';
    text += subs.map((s, i) => `    ${s.slice(name.length + 1).padEnd(width)}    ${lines[i]}`).join('\n');
  }
  return text;
}

/** The top-level usage with the list of commands. */
export async function usage(app: string, commands: CommandTable): Promise<string> {
  const top = [...commands.keys()].filter((n) => !n.includes(' ')).sort();
  const width = Math.max(...top.map((n) => n.length));
  const lines = await synopses(commands, top);
  const list = top.map((n, i) => `    ${n.padEnd(width)}    ${lines[i]}`);
  return `Usage: ${app} [--version] [--help] <command> [<args>]\n\nAvailable commands are:\n${list.join('\n')}\n`;
}
