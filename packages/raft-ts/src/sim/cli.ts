import { INJECTABLE_BUGS, type InjectedBug } from '../core/config.js';
import { runSeed } from './simulator.js';

const USAGE = `usage: raft-sim [--seeds <n>] [--first-seed <s>] [--nodes 3|5] [--duration-ms <ms>]
                [--inject-bug <${INJECTABLE_BUGS.join('|')}>] [--leader-crash-before-fsync] [--async-snapshots] [--verbose]

Runs whole simulated clusters, one per seed, checking Raft's safety properties on every step and
the linearizability of the client history at the end. Prints "<n> seeds, <m> violations" last and
exits 0 only when m is 0. --leader-crash-before-fsync now and then crashes a leader right after it
sent appends carrying entries it had not yet written itself, and prints how often that happened.
--async-snapshots takes snapshots the asynchronous way (captured at once, data staged over 1-41
simulated ms beside the log), crashes nodes while their snapshot is staged, and prints how often
that happened and how many snapshots were sent to followers while the sender's own was staged.`;

interface CliArgs {
  seeds: number;
  firstSeed: number;
  nodes: 3 | 5 | undefined;
  durationMs: number | undefined;
  injectBug: InjectedBug | undefined;
  verbose: boolean;
  leaderCrashBeforeFsync: boolean;
  asyncSnapshots: boolean;
}

function parseArgs(argv: readonly string[]): CliArgs {
  const a: CliArgs = {
    seeds: 1,
    firstSeed: 1,
    nodes: undefined,
    durationMs: undefined,
    injectBug: undefined,
    verbose: false,
    leaderCrashBeforeFsync: false,
    asyncSnapshots: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--seeds':
        a.seeds = Number.parseInt(value(), 10);
        break;
      case '--first-seed':
        a.firstSeed = Number.parseInt(value(), 10);
        break;
      case '--nodes': {
        const n = Number(value());
        if (n !== 3 && n !== 5) throw new Error('--nodes must be 3 or 5');
        a.nodes = n;
        break;
      }
      case '--duration-ms':
        a.durationMs = Number(value());
        break;
      case '--inject-bug': {
        const b = value();
        if (!(INJECTABLE_BUGS as readonly string[]).includes(b)) throw new Error(`unknown bug ${b}; one of ${INJECTABLE_BUGS.join(', ')}`);
        a.injectBug = b as InjectedBug;
        break;
      }
      case '--verbose':
        a.verbose = true;
        break;
      case '--leader-crash-before-fsync':
        a.leaderCrashBeforeFsync = true;
        break;
      case '--async-snapshots':
        a.asyncSnapshots = true;
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${arg}`);
    }
  }
  if (!Number.isInteger(a.seeds) || a.seeds < 1) throw new Error('--seeds must be a positive integer');
  if (!Number.isInteger(a.firstSeed) || a.firstSeed < 0) throw new Error('--first-seed must be a non-negative integer');
  return a;
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`raft-sim: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const started = performance.now();
  let violations = 0;
  let failedSeeds = 0;
  let leaderWritesLost = 0;
  let crashesDuringSnapshot = 0;
  let snapshotsSentDuringSnapshot = 0;
  for (let s = args.firstSeed; s < args.firstSeed + args.seeds; s++) {
    const res = await runSeed({
      seed: s,
      nodes: args.nodes,
      durationMs: args.durationMs,
      injectBug: args.injectBug,
      leaderCrashBeforeFsync: args.leaderCrashBeforeFsync,
      asyncSnapshots: args.asyncSnapshots,
      trace: args.verbose ? (line) => process.stdout.write(`${line}\n`) : undefined,
    });
    leaderWritesLost += res.stats.leaderWritesLost;
    crashesDuringSnapshot += res.stats.crashesDuringSnapshot;
    snapshotsSentDuringSnapshot += res.stats.snapshotsSentDuringSnapshot;
    if (res.violations.length > 0) {
      violations += res.violations.length;
      failedSeeds++;
      const extra = [
        args.injectBug ? `--inject-bug ${args.injectBug}` : '',
        args.nodes ? `--nodes ${args.nodes}` : '',
        args.durationMs ? `--duration-ms ${args.durationMs}` : '',
        args.leaderCrashBeforeFsync ? '--leader-crash-before-fsync' : '',
        args.asyncSnapshots ? '--async-snapshots' : '',
      ]
        .filter(Boolean)
        .join(' ');
      process.stdout.write(`seed ${s}: ${res.violations.length} violation(s)\n`);
      for (const v of res.violations.slice(0, 20)) process.stdout.write(`  ${v}\n`);
      process.stdout.write(`  replay: raft-sim --seeds 1 --first-seed ${s}${extra ? ` ${extra}` : ''} --verbose\n`);
    } else if (args.verbose) {
      const st = res.stats;
      process.stdout.write(
        `seed ${s}: ok (${st.nodes} nodes, ${st.ops} ops, ${st.unknown} unknown, ${st.leaders} leaders, ${st.messages} messages, ${st.simulatedMs} simulated ms)\n`,
      );
    }
  }
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  if (args.leaderCrashBeforeFsync) process.stdout.write(`leaders crashed after sending entries, before their own write of them completed: ${leaderWritesLost}\n`);
  if (args.asyncSnapshots) {
    process.stdout.write(`nodes crashed while staging a snapshot: ${crashesDuringSnapshot}\n`);
    process.stdout.write(`snapshots sent to followers while the sender's own was being staged: ${snapshotsSentDuringSnapshot}\n`);
  }
  if (failedSeeds > 0) process.stdout.write(`${failedSeeds} failing seed(s) in ${secs}s\n`);
  process.stdout.write(`${args.seeds} seeds, ${violations} violations\n`);
  return violations === 0 ? 0 : 1;
}
