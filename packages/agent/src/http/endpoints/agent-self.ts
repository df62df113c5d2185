import type { AgentContext } from '../../agent-context.js';

/** The `/v1/agent/self` document; `Stats` is what `concord info` prints. */
export function agentSelf(agent: AgentContext) {
  const { config } = agent;
  const member = agent.members().find((m) => m.Name === config.nodeName);
  const stats = agent.cluster.stats();
  return {
    Config: {
      Datacenter: config.datacenter,
      PrimaryDatacenter: config.acl.primaryDatacenter,
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
      ClientAddrs: config.clientAddrs,
      HTTPPort: config.ports.http,
      DNSPort: config.ports.dns,
      ServerPort: config.ports.server,
      SerfPortLAN: config.ports.serfLan,
      SerfPortWAN: config.server ? config.ports.serfWan : -1,
      DNSDomain: config.domain,
    },
    Coord: agent.coordinate(),
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
        known_datacenters: String(agent.wan ? new Set([config.datacenter, ...agent.wan.datacenters()]).size : 1),
        leader: String(stats.leader),
        leader_addr: stats.leaderAddr,
        server: String(config.server),
      },
      ...(config.server ? { raft: stats.raft } : {}),
      runtime: {
        arch: process.arch,
        os: process.platform,
        version: process.version,
        goroutines: '0',
        max_procs: '1',
        cpu_count: '1',
      },
      serf_lan: stats.serf_lan,
    },
    Meta: config.nodeMeta,
  };
}
