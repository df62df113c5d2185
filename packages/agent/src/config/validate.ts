/** `concord validate`: loads configuration files and directories exactly as the agent would. */
import { statSync } from 'node:fs';
import { parseDnsConfig } from '../dns/index.js';
import { parseCheckDefinition, parseServiceDefinition } from '../local/definitions.js';
import { ConfigError, resolveAgentConfig } from './config.js';

/**
 * Checks the configuration in `paths` (files or directories, merged in order as `-config-file`
 * and `-config-dir` are). Throws ConfigError with the reason when it is not valid.
 */
export function validateConfigPaths(paths: readonly string[]): void {
  const argv: string[] = [];
  for (const p of paths) {
    let dir: boolean;
    try {
      dir = statSync(p).isDirectory();
    } catch (err) {
      throw new ConfigError(`Error loading ${p}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
    }
    argv.push(dir ? '-config-dir' : '-config-file', p);
  }
  const config = resolveAgentConfig(argv, { checkOnly: true });
  try {
    parseDnsConfig(config.dnsConfig);
    // Service and check definitions, as the agent checks them when it starts.
    for (const raw of config.services) parseServiceDefinition(raw);
    for (const raw of config.checks) parseCheckDefinition(raw);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}
