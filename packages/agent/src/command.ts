import { type AgentConfig, ConfigError, resolveAgentConfig } from './config/config.js';
import { FlagError } from '@concord/goflags';
import { VERSION, startAgent } from './agent.js';

function banner(config: AgentConfig, httpPort: number, httpsPort: number, dnsPort: number, serfPort: number, serfWanPort: number): string {
  const lines = [
    '==> Starting Concord agent...',
    `               Version: '${VERSION}'`,
    `            Build Date: ''`,
    `               Node ID: '${config.nodeId}'`,
    `             Node name: '${config.nodeName}'`,
    `            Datacenter: '${config.datacenter}' (Segment: '<all>')`,
    `                Server: ${config.server} (Bootstrap: ${config.bootstrap})`,
    `           Client Addr: [${config.clientAddrs.join(' ')}] (HTTP: ${httpPort}, HTTPS: ${httpsPort}, gRPC: -1, DNS: ${dnsPort})`,
    `          Cluster Addr: ${config.advertiseAddr} (LAN: ${serfPort}, WAN: ${serfWanPort})`,
    `     Gossip Encryption: ${config.encrypt !== undefined}`,
    '',
    '==> Log data will now stream in as it occurs:',
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/** `concord agent ...`: runs an agent until SIGINT/SIGTERM or a leave; resolves with the exit code. */
export async function runAgentCommand(argv: string[]): Promise<number> {
  let config: AgentConfig;
  try {
    config = resolveAgentConfig(argv);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof FlagError) {
      process.stderr.write(`==> ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  let agent: Awaited<ReturnType<typeof startAgent>>;
  try {
    agent = await startAgent(config, { argv });
  } catch (err) {
    process.stderr.write(`==> Error starting agent: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  process.stdout.write(banner(config, agent.httpPort, agent.httpsPort, agent.dnsPort, agent.serfPort, agent.serfWanPort));
  // Consul's defaults: a client leaves the cluster on SIGTERM and SIGINT; a server only shuts down.
  const onTerm = () => void (config.leaveOnTerminate ? agent.leave() : agent.close());
  const onInt = () => void (config.skipLeaveOnInterrupt ? agent.close() : agent.leave());
  const reload = () => {
    agent.context.reload().catch((err: unknown) => agent.context.logger.error({ err: String(err) }, 'agent: reload failed'));
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', reload);
  await agent.stopped;
  process.off('SIGINT', onInt);
  process.off('SIGTERM', onTerm);
  process.off('SIGHUP', reload);
  return 0;
}
