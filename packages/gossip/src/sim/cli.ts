import type { ConfigName } from '../core/config.js';
import { GossipConfigError } from '../errors.js';
import { formatReport, runScenario } from './scenario.js';

const USAGE = 'usage: gossip-sim --nodes <n> --loss <p> --seed <s> [--config lan|wan|local] [--datacenters <d>] [--kills <k>] [--joins <j>]';

export interface CliArgs {
  nodes: number;
  loss: number;
  seed: number;
  config: ConfigName;
  datacenters: number;
  kills: number | undefined;
  joins: number | undefined;
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { nodes: 10, loss: 0, seed: 1, config: 'lan', datacenters: 1, kills: undefined, joins: undefined };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] as string;
    const [flag, inline] = raw.includes('=') ? (raw.split('=', 2) as [string, string]) : [raw, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new GossipConfigError(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    const num = (): number => {
      const v = Number(value());
      if (!Number.isFinite(v)) throw new GossipConfigError(`${flag} needs a number\n${USAGE}`);
      return v;
    };
    switch (flag.replace(/^--?/, '')) {
      case 'nodes':
        args.nodes = num();
        break;
      case 'loss':
        args.loss = num();
        break;
      case 'seed':
        args.seed = num();
        break;
      case 'datacenters':
        args.datacenters = num();
        break;
      case 'kills':
        args.kills = num();
        break;
      case 'joins':
        args.joins = num();
        break;
      case 'config': {
        const v = value();
        if (v !== 'lan' && v !== 'wan' && v !== 'local') throw new GossipConfigError(`--config must be lan, wan or local\n${USAGE}`);
        args.config = v;
        break;
      }
      case 'help':
      case 'h':
        throw new GossipConfigError(USAGE);
      default:
        throw new GossipConfigError(`unknown flag ${raw}\n${USAGE}`);
    }
  }
  if (args.nodes > 1000) throw new GossipConfigError('--nodes is at most 1000');
  return args;
}

/** Runs the simulator for the `gossip-sim` bin; returns the process exit code. */
export function main(argv: readonly string[], write: (line: string) => void): number {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    write(err instanceof Error ? err.message : String(err));
    return 2;
  }
  const started = performance.now();
  const report = runScenario({
    nodes: args.nodes,
    loss: args.loss,
    seed: args.seed,
    config: args.config,
    datacenters: args.datacenters,
    ...(args.kills === undefined ? {} : { kills: args.kills }),
    ...(args.joins === undefined ? {} : { joins: args.joins }),
  });
  for (const line of formatReport(report, performance.now() - started)) write(line);
  return 0;
}
