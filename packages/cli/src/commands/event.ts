import { RE2JS } from 're2js';
import type { Command } from '../command.js';
import { parseCommandLine } from '../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, httpClient, messageOf } from '../http-flags.js';
import type { Io } from '../io.js';

const FLAGS = {
  name: { kind: 'string' },
  node: { kind: 'string' },
  service: { kind: 'string' },
  tag: { kind: 'string' },
  ...CLIENT_FLAGS,
} as const;

/** The Go regexp compile error for `pattern` (RE2 syntax, as Consul's), or undefined. */
function regexpProblem(pattern: string): string | undefined {
  if (pattern === '') return undefined;
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export const event: Command = {
  synopsis: 'Fire a new event',
  help: () => `Usage: concord event [options] [payload]

  Dispatches a custom user event across a datacenter. An event must provide
  a name, but a payload is optional. Events support filtering using
  regular expressions on node name, service, and tag definitions.

Command Options

  -name=<string>
     Name of the event.

  -node=<string>
     Regular expression to filter on node names.

  -service=<string>
     Regular expression to filter on service instances.

  -tag=<string>
     Regular expression to filter on service tags. Must be used with -service.
${CLIENT_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io, { max: 1, tooMany: () => 'Too many command line arguments.' });
    if (!line) return 1;
    const f = line.flags;
    const name = f.string('name');
    if (name === '') {
      io.err('Event name must be specified');
      return 1;
    }
    const filters = { node: f.string('node'), service: f.string('service'), tag: f.string('tag') };
    for (const what of ['node', 'service', 'tag'] as const) {
      const problem = regexpProblem(filters[what]);
      if (problem !== undefined) {
        io.err(`Failed to compile ${what} filter regexp: ${problem}`);
        return 1;
      }
    }
    if (filters.tag !== '' && filters.service === '') {
      io.err('Cannot provide tag filter without service filter.');
      return 1;
    }
    const { client } = httpClient(f, io);
    try {
      await client.agent.self();
    } catch (err) {
      io.err(`Error querying Consul agent: ${messageOf(err)}`);
      return 1;
    }
    let id: string;
    try {
      const fired = await client.event.fire({
        Name: name,
        ...(line.args[0] !== undefined ? { Payload: line.args[0] } : {}),
        NodeFilter: filters.node,
        ServiceFilter: filters.service,
        TagFilter: filters.tag,
      });
      id = fired.ID;
    } catch (err) {
      io.err(`Error firing event: ${messageOf(err)}`);
      return 1;
    }
    io.out(`Event ID: ${id}`);
    return 0;
  },
};
