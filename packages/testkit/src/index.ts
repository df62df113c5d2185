export { BIN, ROOT } from './paths.js';
export { type Scope, eventually, fileScope, sleep, tempDir, uniqueName } from './scope.js';
export { type AgentOptions, type AgentProcess, startAgent, stopChild } from './agent-process.js';
export { type CliOptions, type CliResult, type ProcessOptions, runCli, runProcess } from './cli.js';
