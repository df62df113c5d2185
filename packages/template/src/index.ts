export { Runner, type RunnerOptions } from './runner.js';
export {
  buildConfig,
  ConfigError,
  parseSignal,
  parseTemplateFlag,
  parseWait,
  readConfigPath,
  type ExecConfig,
  type RawConfig,
  type RawSsl,
  type RawTemplate,
  type RunnerConfig,
  type TemplateConfig,
  type Wait,
} from './config.js';
export { createLog, LOG_LEVELS, parseLogLevel, type Log, type LogLevel } from './log.js';
export { Watcher, type RetryPolicy, type WatcherOptions } from './watcher.js';
export { TemplateUnit, type Render, type DataSource } from './template-unit.js';
export { writeIfChanged } from './output-file.js';
export { runCommand, type CommandResult } from './run-command.js';
export { helperFuncs, formatGoTime, Scratch } from './helpers.js';
export { ServiceTags } from './tags.js';
export * from './dependencies.js';
export { acquire as acquireLock, LOCK_FLAG, LockError, SEMAPHORE_FLAG, type HeldLock, type LockOptions } from './lock.js';
