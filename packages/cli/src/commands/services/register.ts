import type { AgentServiceRegistration, ServiceAddress } from '@concord/api';
import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, SERVER_FLAGS, SERVER_FLAGS_HELP, httpClient, messageOf } from '../../http-flags.js';
import type { Io } from '../../io.js';
import { servicesFromFiles } from './service-files.js';

const FLAGS = {
  id: { kind: 'string' },
  name: { kind: 'string' },
  address: { kind: 'string' },
  port: { kind: 'number' },
  kind: { kind: 'string' },
  meta: { kind: 'list' },
  tag: { kind: 'list' },
  'tagged-address': { kind: 'list' },
  ...CLIENT_FLAGS,
  ...SERVER_FLAGS,
} as const;

export const servicesRegister: Command = {
  synopsis: 'Register services with the local agent',
  help: () => `Usage: concord services register [options] [FILE...]

  Register one or more services using the local agent API. Services can be
  registered from JSON service definition files ({"service": {...}} or
  {"services": [...]}) or using flags. The service is registered and the
  command returns. Deregister it with "concord services deregister" when done.

      $ concord services register web.json
      $ concord services register -name=web -port=8080 -tag=v1

Command Options

  -address=<addr>   Address of the service.
  -id=<id>          ID of the service. Defaults to the -name value.
  -kind=<kind>      The service's kind.
  -meta=<key=value> Metadata to set on the service. May be repeated.
  -name=<name>      Name of the service.
  -port=<port>      Port of the service.
  -tag=<tag>        Tag to add to the service. May be repeated.
  -tagged-address=<key=value>
                    Tagged address (host:port) to set on the service. May be
                    repeated.
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io, {});
    if (!line) return 1;
    const f = line.flags;
    let tagged: Record<string, ServiceAddress> | undefined;
    const taggedFlags = f.map('tagged-address');
    if (Object.keys(taggedFlags).length > 0) {
      tagged = {};
      for (const [name, value] of Object.entries(taggedFlags)) {
        const addr = parseServiceAddr(value);
        if (!addr) {
          io.err(`Invalid Tagged Address: invalid address "${value}"`);
          return 1;
        }
        tagged[name] = addr;
      }
    }
    const fromFlags: AgentServiceRegistration = {
      Name: f.string('name'),
      ...(f.string('id') ? { ID: f.string('id') } : {}),
      ...(f.string('address') ? { Address: f.string('address') } : {}),
      ...(f.number('port') ? { Port: f.number('port') } : {}),
      ...(f.string('kind') ? { Kind: f.string('kind') } : {}),
      ...(f.list('tag').length ? { Tags: f.list('tag') } : {}),
      ...(Object.keys(f.map('meta')).length ? { Meta: f.map('meta') } : {}),
      ...(tagged ? { TaggedAddresses: tagged } : {}),
    };
    const files = line.args;
    if (files.length === 0 && fromFlags.Name === '') {
      io.err('Service registration requires at least one argument or flags.');
      return 1;
    }
    if (files.length > 0 && fromFlags.Name !== '') {
      io.err('Service registration requires arguments or -id, not both.');
      return 1;
    }
    let services: AgentServiceRegistration[];
    if (files.length > 0) {
      try {
        services = (await servicesFromFiles(files)).map((s) => combine(s, fromFlags));
      } catch (err) {
        io.err(`Error: ${messageOf(err)}`);
        return 1;
      }
    } else {
      services = [fromFlags];
    }
    const { client } = httpClient(f, io);
    for (const service of services) {
      try {
        await client.agent.serviceRegister(service);
      } catch (err) {
        io.err(`Error registering service "${service.Name}": ${messageOf(err)}`);
        return 1;
      }
      io.out(`Registered service: ${service.Name}`);
    }
    return 0;
  },
};

/** Flag values fill in what a file leaves out; meta, tagged addresses and tags are merged. */
function combine(file: AgentServiceRegistration, flags: AgentServiceRegistration): AgentServiceRegistration {
  return {
    ...file,
    ...(flags.ID && !file.ID ? { ID: flags.ID } : {}),
    ...(flags.Address && !file.Address ? { Address: flags.Address } : {}),
    ...(flags.Port && !file.Port ? { Port: flags.Port } : {}),
    ...(flags.Kind && !file.Kind ? { Kind: flags.Kind } : {}),
    Meta: { ...(file.Meta ?? {}), ...(flags.Meta ?? {}) },
    TaggedAddresses: { ...(file.TaggedAddresses ?? {}), ...(flags.TaggedAddresses ?? {}) },
    Tags: [...(file.Tags ?? []), ...(flags.Tags ?? [])],
  };
}

/** `host:port`, `[v6]:port` or a bare host (port 0), as Go's api.ParseServiceAddr reads it. */
function parseServiceAddr(value: string): ServiceAddress | undefined {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:]*)$/.exec(value);
  if (!m) return { Address: value, Port: 0 };
  const port = m[3] as string;
  if (!/^\d+$/.test(port)) return undefined;
  return { Address: (m[1] ?? m[2]) as string, Port: Number(port) };
}
