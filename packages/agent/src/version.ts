/** The agent's version, as `/v1/agent/self`, `/v1/agent/version` and gossip tags report it. */
export const VERSION = '0.1.0';
