import type { AgentContext } from '../../agent-context.js';

/** The `/v1/agent/self` document; `Stats` is what `concord info` prints. */
export function agentSelf(agent: AgentContext) {
  const { config } = agent;
  const state = agent.server.state;
  const member = agent.members().find((m) => m.Name === config.nodeName);
  const leaderAddr = agent.serverAddress;
  return {
    Config: {
      Datacenter: config.datacenter,
      PrimaryDatacenter: config.datacenter,
      NodeName: config.nodeName,
      NodeID: config.nodeId,
      Revision: 'concord',
      Server: config.server,
      Version: agent.version,
      BuildDate: '',
    },
    DebugConfig: {
      Datacenter: config.datacenter,
      NodeName: config.nodeName,
      DataDir: config.dataDir ?? '',
      DevMode: config.dev,
      ServerMode: config.server,
      Bootstrap: config.bootstrap,
      BootstrapExpect: config.bootstrapExpect,
      ClientAddrs: [config.clientAddr],
      HTTPPort: config.ports.http,
      DNSPort: config.ports.dns,
      ServerPort: config.ports.server,
      SerfPortLAN: config.ports.serfLan,
      DNSDomain: config.domain,
    },
    Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 0.00001 },
    Member: member ?? null,
    Stats: {
      agent: {
        check_monitors: '0',
        check_ttls: String([...agent.local.checks.values()].filter((c) => c.def.Kind === 'ttl').length),
        checks: String(agent.local.checks.size),
        services: String(agent.local.services.size),
      },
      build: { prerelease: '', revision: 'concord', version: agent.version },
      consul: {
        bootstrap: String(config.bootstrap),
        known_datacenters: '1',
        leader: String(agent.server.isLeader()),
        leader_addr: leaderAddr,
        server: String(config.server),
      },
      raft: {
        applied_index: String(state.lastIndex),
        commit_index: String(state.lastIndex),
        last_log_index: String(state.lastIndex),
        num_peers: '0',
        state: 'Leader',
        protocol_version: '3',
      },
      runtime: {
        arch: process.arch,
        os: process.platform,
        version: process.version,
        goroutines: '0',
        max_procs: '1',
        cpu_count: '1',
      },
      serf_lan: {
        members: String(agent.members().length),
        failed: '0',
        left: '0',
        encrypted: 'false',
      },
    },
    Meta: config.nodeMeta,
  };
}
