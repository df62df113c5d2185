import { type AgentConfig, ConfigError, resolveAgentConfig } from './config/config.js';
import { FlagError } from './go-flags.js';
import { VERSION, startAgent } from './agent.js';

function banner(config: AgentConfig, httpPort: number, dnsPort: number): string {
  const lines = [
    '==> Starting Concord agent...',
    `               Version: '${VERSION}'`,
    `            Build Date: ''`,
    `               Node ID: '${config.nodeId}'`,
    `             Node name: '${config.nodeName}'`,
    `            Datacenter: '${config.datacenter}' (Segment: '<all>')`,
    `                Server: ${config.server} (Bootstrap: ${config.bootstrap})`,
    `           Client Addr: [${config.clientAddr}] (HTTP: ${httpPort}, HTTPS: -1, gRPC: -1, DNS: ${dnsPort})`,
    `          Cluster Addr: ${config.advertiseAddr} (LAN: ${config.ports.serfLan}, WAN: -1)`,
    `     Gossip Encryption: false`,
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
  process.stdout.write(banner(config, agent.httpPort, agent.dnsPort));
  const stop = () => {
    void agent.close();
  };
  const reload = () => {
    agent.context.reload().catch((err: unknown) => agent.context.logger.error({ err: String(err) }, 'agent: reload failed'));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', reload);
  await agent.stopped;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  process.off('SIGHUP', reload);
  return 0;
}
