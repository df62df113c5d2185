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

const NODE_CHECK_ID = '_node_maintenance';
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
  a given node or service before it will be placed back into the pool.

  By default, we operate on the node as a whole. By specifying the
  "-service" argument, this behavior can be changed to enable or disable
  only a specific service.

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
      io.err('Reason may only be provided with -enable');
      return 1;
    }
    if (!enable && !disable && service !== '') {
      io.err('Service requires either -enable or -disable');
      return 1;
    }
    const { client } = httpClient(line.flags, io);
    let node: string;
    try {
      node = (await client.agent.self()).Config.NodeName;
    } catch (err) {
      io.err(`Error querying the agent: ${messageOf(err)}`);
      return 1;
    }
    if (!enable && !disable) return list(client, node, io);
    const target = service === '' ? 'node' : 'service';
    try {
      if (service === '') await client.agent.maintenance(enable, reason || undefined);
      else await client.agent.serviceMaintenance(service, enable, reason || undefined);
    } catch (err) {
      io.err(`Error ${enable ? 'enabling' : 'disabling'} ${target} maintenance: ${messageOf(err)}`);
      return 1;
    }
    const state = enable ? 'enabled' : 'disabled';
    io.out(service === '' ? `Node maintenance is now ${state}` : `Service maintenance is now ${state} for ${JSON.stringify(service)}`);
    return 0;
  },
};

/** Prints what is in maintenance: the node first, then services by ID (blank when nothing is). */
async function list(client: ReturnType<typeof httpClient>['client'], node: string, io: Io): Promise<number> {
  let checks: Awaited<ReturnType<typeof client.agent.checks>>;
  try {
    checks = await client.agent.checks();
  } catch (err) {
    io.err(`Error getting checks: ${messageOf(err)}`);
    return 1;
  }
  const nodeCheck = checks[NODE_CHECK_ID];
  if (nodeCheck) {
    io.out('Node:');
    io.out(`  Name:   ${node}`);
    io.out(`  Reason: ${nodeCheck.Notes}`);
    io.out('');
  }
  const services = Object.values(checks)
    .filter((c) => c.CheckID.startsWith(SERVICE_PREFIX))
    .sort((a, b) => (a.ServiceID < b.ServiceID ? -1 : a.ServiceID > b.ServiceID ? 1 : 0));
  for (const check of services) {
    io.out('Service:');
    io.out(`  ID:     ${check.ServiceID}`);
    io.out(`  Reason: ${check.Notes}`);
    io.out('');
  }
  return 0;
}
