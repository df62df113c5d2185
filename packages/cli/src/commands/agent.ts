import { runAgentCommand } from '@concord/agent';
import type { Command } from '../command.js';

export const agent: Command = {
  synopsis: 'Runs an agent',
  help: () => `Usage: concord agent [options]

  Starts an agent and runs until an interrupt is received. The agent
  represents a single node in a cluster.

      $ concord agent -dev
      $ concord agent -server -bootstrap-expect=3 -data-dir=/var/lib/concord

Common Options

  -dev              Development mode: an in-memory server that elects itself.
  -server           Run in server mode.
  -bootstrap-expect=<n>
                    Number of servers to wait for before bootstrapping.
  -bootstrap        Let this single server elect itself.
  -data-dir=<path>  Directory for persistent state (required except -dev).
  -node=<name>      Name of this node; must be unique in the cluster.
  -datacenter=<name>
                    Datacenter of the agent. The default is dc1.
  -bind=<ip>        Address for cluster communication.
  -client=<ip>      Address for the HTTP and DNS interfaces.
  -retry-join=<addr>
                    Address of an agent to join; may be repeated.
  -config-file=<path>, -config-dir=<path>
                    JSON configuration to load; may be repeated.
  -http-port, -dns-port, -server-port, -serf-lan-port=<port>
                    Listener ports (0 picks a free one, -1 disables).
  -log-level=<level>
                    trace, debug, info, warn or error.`,
  run: (args) => runAgentCommand([...args]),
};
