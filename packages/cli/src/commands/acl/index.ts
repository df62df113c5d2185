/** `concord acl ...`: the group commands, `acl bootstrap` and `acl set-agent-token`. */
import type { Command } from '../../command.js';
import { SHOW_HELP } from '../../command.js';
import { type Token, aclCall, printToken, show } from './common.js';
import { aclCommand } from './command-kit.js';

const group = (synopsis: string, usage: string, subs: string): Command => ({
  synopsis,
  help: () => `Usage: ${usage}

  ${synopsis}

  Subcommands:
${subs}`,
  run: async () => SHOW_HELP,
});

export const aclGroup = group(
  'Interact with Consul-compatible ACLs',
  'concord acl <subcommand> [options] [args]',
  `
      bootstrap          Bootstrap the ACL system
      policy             Manage ACL policies
      role               Manage ACL roles
      set-agent-token    Assign tokens for the agent's use
      token              Manage ACL tokens`,
);

export const aclPolicyGroup = group(
  'Manage ACL policies',
  'concord acl policy <subcommand> [options] [args]',
  `
      create    Create an ACL policy
      delete    Delete an ACL policy
      list      List ACL policies
      read      Read an ACL policy
      update    Update an ACL policy`,
);

export const aclTokenGroup = group(
  'Manage ACL tokens',
  'concord acl token <subcommand> [options] [args]',
  `
      clone     Clone an ACL token
      create    Create an ACL token
      delete    Delete an ACL token
      list      List ACL tokens
      read      Read an ACL token
      update    Update an ACL token`,
);

export const aclRoleGroup = group(
  'Manage ACL roles',
  'concord acl role <subcommand> [options] [args]',
  `
      create    Create an ACL role
      delete    Delete an ACL role
      list      List ACL roles
      read      Read an ACL role
      update    Update an ACL role`,
);

export const aclBootstrap = aclCommand({
  synopsis: 'Bootstrap the ACL system and print the initial management token',
  usage: 'concord acl bootstrap [options] [<secret-file>]',
  arity: { max: 1 },
  failure: 'Failed ACL bootstrapping',
  async run(line, http, io, format) {
    let body: unknown;
    const file = line.args[0];
    if (file) {
      const { readFileSync } = await import('node:fs');
      const secret = (file === '-' ? (await io.readStdin()).toString('utf8') : readFileSync(file, 'utf8')).trim();
      body = { BootstrapSecret: secret };
    }
    show(io, format, await aclCall<Token>(http, 'PUT', '/v1/acl/bootstrap', body), printToken);
  },
});

const AGENT_TOKEN_TYPES = new Set(['default', 'agent', 'recovery', 'agent_recovery', 'replication', 'dns']);

export const aclSetAgentToken = aclCommand({
  synopsis: "Assign tokens for the agent's use",
  usage: 'concord acl set-agent-token [options] TYPE TOKEN',
  flagsHelp: `
  TYPE is one of default, agent, recovery, replication.`,
  arity: { min: 2, max: 2, missing: 'Missing TYPE and TOKEN arguments' },
  failure: 'Failed to set ACL token',
  async run(line, http, io) {
    const [type, token] = line.args as [string, string];
    if (!AGENT_TOKEN_TYPES.has(type)) throw new (await import('@concord/goflags')).FlagError(`Unknown token type: ${type}`);
    const kind = type === 'recovery' ? 'agent_recovery' : type;
    await aclCall(http, 'PUT', `/v1/agent/token/${kind}`, { Token: token });
    io.out(`ACL token "${type}" set successfully`);
  },
});
