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
  -bind=<ip>        Address for cluster communication. The default 0.0.0.0
                    advertises the host's one private IPv4 address.
  -advertise=<ip>   Address advertised to the other agents.
  -client=<ip>      Addresses for the HTTP and DNS interfaces, space-separated.
  -join=<addr>      Address of an agent to join at start; may be repeated.
  -retry-join=<addr>
                    Address of an agent to join, retried until one answers;
                    may be repeated. Without -join or -retry-join the agent
                    runs alone until "concord join" joins it.
  -datacenter=<dc>  Datacenter of this agent (default dc1).
  -advertise-wan=<ip>
                    Address advertised to the WAN pool (servers).
  -join-wan=<addr>, -retry-join-wan=<addr>
                    A server of another datacenter to join over the WAN at
                    start, or retried until one answers; may be repeated.
  -config-file=<path>, -config-dir=<path>
                    JSON configuration to load; may be repeated.
  -http-port, -dns-port, -server-port, -serf-lan-port, -serf-wan-port=<port>
                    Listener ports (0 picks a free one, -1 disables).
  -log-level=<level>
                    trace, debug, info, warn or error.

  -bind, -advertise, -client, -join and -retry-join take go-sockaddr
  templates, e.g. -bind '{{ GetPrivateIP }}' or
  -client '127.0.0.1 {{ GetInterfaceIP "eth0" }}'.`,
  async run(args) {
    // Loaded here, not at the top: the agent brings grpc-js, level, dns2 and pino.
    const { runAgentCommand } = await import('@concord/agent');
    return runAgentCommand([...args]);
  },
};
