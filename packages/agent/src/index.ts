export { parseGoFlags, FlagError } from './go-flags.js';
export type { FlagKind, FlagSpec, FlagSpecs, FlagValue, ParsedFlags } from './go-flags.js';
export { runAgentCommand } from './command.js';
export { startAgent, VERSION } from './agent.js';
export type { RunningAgent, StartOptions } from './agent.js';
export { resolveAgentConfig, ConfigError } from './config/config.js';
export type { AgentConfig } from './config/config.js';
export { parseDuration, formatDuration } from './config/duration.js';
export { compileFilter, FilterError } from './filter/bexpr.js';
