import type { Command } from '../command.js';
import { parseCommandLine } from '../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, httpClient, messageOf } from '../http-flags.js';
import type { Io } from '../io.js';

const FLAGS = {
  enable: { kind: 'boolean' },
  disable: { kind: 'boolean' },
  reason: { kind: 'string' },
  service: { kind: 'string' },
  ...CLIENT_FLAGS,
} as const;

const SERVICE_PREFIX = '_service_maintenance:';

export const maint: Command = {
  synopsis: 'Controls node or service maintenance mode',
  help: () => `Usage: concord maint [options]

  Places a node or service into maintenance mode. During maintenance mode,
  the node or service will be excluded from all queries through the DNS
  or API interfaces, effectively taking it out of the pool of available
  nodes. This is done by registering an additional critical health check.

  When enabling maintenance mode for a node or service, you may optionally
  specify a reason string. This string will appear in the "Notes" field
  of the critical health check which is registered against the node or
  service. If no reason is provided, a default value will be used.

  Maintenance mode is persistent, and will be restored in the event of an
  agent restart. It is therefore required to disable maintenance mode on
  a given node or service before it will be placed back into any pool.

  If no arguments are given, the agent's maintenance status will be shown.
  This will return blank if nothing is currently under maintenance.

Command Options

  -disable          Disable maintenance mode.
  -enable           Enable maintenance mode.
  -reason=<string>  Text describing the maintenance reason.
  -service=<id>     Control maintenance mode for a specific service ID.
${CLIENT_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io, {
      max: 0,
      tooMany: (given) => `Error found unexpected args: [${given.join(' ')}]`,
    });
    if (!line) return 1;
    const enable = line.flags.bool('enable');
    const disable = line.flags.bool('disable');
    const reason = line.flags.string('reason');
    const service = line.flags.string('service');
    if (enable && disable) {
      io.err('Only one of -enable or -disable may be provided');
      return 1;
    }
    if (!enable && reason !== '') {
      io.err('Error: -reason may only be provided with -enable');
      return 1;
    }
    if (!enable && !disable && service !== '') {
      io.err('Error: -service requires either -enable or -disable');
      return 1;
    }
    const { client } = httpClient(line.flags, io);
    try {
      if (!enable && !disable) return await list(client, io);
      if (service !== '') {
        await client.agent.serviceMaintenance(service, enable, reason || undefined);
        io.out(`Service maintenance is now ${enable ? 'enabled' : 'disabled'} for "${service}"`);
      } else {
        await client.agent.maintenance(enable, reason || undefined);
        io.out(`Node maintenance is now ${enable ? 'enabled' : 'disabled'}`);
      }
      return 0;
    } catch (err) {
      io.err(`Error ${enable ? 'enabling' : 'disabling'} maintenance mode: ${messageOf(err)}`);
      return 1;
    }
  },
};

async function list(client: ReturnType<typeof httpClient>['client'], io: Io): Promise<number> {
  let node: string;
  let checks: Awaited<ReturnType<typeof client.agent.checks>>;
  try {
    node = (await client.agent.self()).Config.NodeName;
    checks = await client.agent.checks();
  } catch (err) {
    io.err(`Error querying the agent: ${messageOf(err)}`);
    return 1;
  }
  for (const check of Object.values(checks)) {
    if (check.CheckID === '_node_maintenance') {
      io.out('Node:');
      io.out(`  Name:   ${node}`);
      io.out(`  Reason: ${check.Notes}`);
      io.out('');
    } else if (check.CheckID.startsWith(SERVICE_PREFIX)) {
      io.out('Service:');
      io.out(`  ID:     ${check.ServiceID}`);
      io.out(`  Reason: ${check.Notes}`);
      io.out('');
    }
  }
  return 0;
}
