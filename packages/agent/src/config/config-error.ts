/** A configuration the agent cannot start with; the message says which key and why. */
export class ConfigError extends Error {
  readonly code = 'AGENT_CONFIG';
}
