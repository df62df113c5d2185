/** `concord acl policy create|read|update|delete|list`. */
import { FlagError } from '@concord/goflags';
import { type Policy, aclCall, idOf, printPolicy, rulesArg, show, showList } from './common.js';
import { aclCommand } from './command-kit.js';

const ID_FLAGS = { id: { kind: 'string' }, name: { kind: 'string' } } as const;
const ID_HELP = `
  -id=<string>
     The ID of the policy.

  -name=<string>
     The name of the policy.`;
const SET_FLAGS = {
  name: { kind: 'string' },
  description: { kind: 'string' },
  rules: { kind: 'string' },
  'valid-datacenter': { kind: 'list' },
} as const;
const SET_HELP = `
  -name=<string>
     The new policy's name.

  -description=<string>
     A description of the policy.

  -rules=<string>
     The policy rules. May be prefixed with '@' to read them from a file, or
     be '-' to read them from stdin.

  -valid-datacenter=<string>
     Datacenter the policy is valid in; may be given several times.`;

export const aclPolicyCreate = aclCommand({
  synopsis: 'Create an ACL policy',
  usage: 'concord acl policy create -name NAME [options]',
  flags: SET_FLAGS,
  flagsHelp: SET_HELP,
  failure: 'Failed to create new policy',
  async run({ flags }, http, io, format) {
    const name = flags.string('name');
    if (!name) throw new FlagError("Missing require '-name' flag");
    const body = {
      Name: name,
      Description: flags.string('description'),
      Rules: await rulesArg(flags.string('rules'), io),
      Datacenters: flags.list('valid-datacenter'),
    };
    show(io, format, await aclCall<Policy>(http, 'PUT', '/v1/acl/policy', body), printPolicy);
  },
});

export const aclPolicyRead = aclCommand({
  synopsis: 'Read an ACL policy',
  usage: 'concord acl policy read [options] -id POLICY',
  flags: ID_FLAGS,
  flagsHelp: ID_HELP,
  failure: 'Error reading policy',
  async run({ flags }, http, io, format) {
    const id = await idOf(http, flags, 'policy');
    show(io, format, await aclCall<Policy>(http, 'GET', `/v1/acl/policy/${encodeURIComponent(id)}`), printPolicy);
  },
});

export const aclPolicyUpdate = aclCommand({
  synopsis: 'Update an ACL policy',
  usage: 'concord acl policy update [options] -id POLICY',
  flags: { ...SET_FLAGS, id: { kind: 'string' }, 'no-merge': { kind: 'boolean' } },
  flagsHelp: `${ID_HELP}${SET_HELP}

  -no-merge
     Replace every field with what the flags give instead of keeping those not given.`,
  failure: 'Error updating policy',
  async run({ flags }, http, io, format) {
    if (!flags.string('id') && !flags.string('name')) throw new FlagError('Cannot update a policy without specifying the -id or -name parameter');
    const id = await idOf(http, flags, 'policy');
    const rules = flags.has('rules') ? await rulesArg(flags.string('rules'), io) : undefined;
    const current = flags.bool('no-merge')
      ? { Name: '', Description: '', Rules: '', Datacenters: [] }
      : await aclCall<Policy>(http, 'GET', `/v1/acl/policy/${encodeURIComponent(id)}`);
    const body = {
      ID: id,
      Name: flags.string('name') || current.Name,
      Description: flags.has('description') ? flags.string('description') : current.Description,
      Rules: rules ?? current.Rules,
      Datacenters: flags.has('valid-datacenter') ? flags.list('valid-datacenter') : (current.Datacenters ?? []),
    };
    show(io, format, await aclCall<Policy>(http, 'PUT', `/v1/acl/policy/${encodeURIComponent(id)}`, body), printPolicy);
  },
});

export const aclPolicyDelete = aclCommand({
  synopsis: 'Delete an ACL policy',
  usage: 'concord acl policy delete [options] -id POLICY',
  flags: ID_FLAGS,
  flagsHelp: ID_HELP,
  failure: 'Error deleting policy',
  async run({ flags }, http, io) {
    const id = await idOf(http, flags, 'policy');
    await aclCall(http, 'DELETE', `/v1/acl/policy/${encodeURIComponent(id)}`);
    io.out(`Policy "${id}" deleted successfully`);
  },
});

export const aclPolicyList = aclCommand({
  synopsis: 'List ACL policies',
  usage: 'concord acl policy list [options]',
  failure: 'Failed to retrieve the policy list',
  async run(_line, http, io, format) {
    showList(io, format, await aclCall<Policy[]>(http, 'GET', '/v1/acl/policies'), printPolicy);
  },
});
