/** `concord acl role create|read|update|delete|list`. */
import { FlagError } from '@concord/goflags';
import { IDENTITY_FLAGS, IDENTITY_HELP, fullId, identityFlags, type Role, aclCall, links, printRole, idOf, show, showList, updatedIdentities } from './common.js';
import { aclCommand } from './command-kit.js';

const ID_FLAGS = { id: { kind: 'string' }, name: { kind: 'string' } } as const;
const ID_HELP = `
  -id=<string>
     The ID of the role.

  -name=<string>
     The name of the role.`;
const SET_FLAGS = {
  name: { kind: 'string' },
  description: { kind: 'string' },
  'policy-id': { kind: 'list' },
  'policy-name': { kind: 'list' },
  ...IDENTITY_FLAGS,
} as const;
const SET_HELP = `
  -name=<string>
     The role's name.

  -description=<string>
     A description of the role.

  -policy-id=<string>, -policy-name=<string>
     A policy to link, by ID or name; may be given several times.${IDENTITY_HELP}`;

export const aclRoleCreate = aclCommand({
  synopsis: 'Create an ACL role',
  usage: 'concord acl role create -name NAME [options]',
  flags: SET_FLAGS,
  flagsHelp: SET_HELP,
  failure: 'Failed to create new role',
  async run({ flags }, http, io, format) {
    const name = flags.string('name');
    if (!name) throw new FlagError("Missing required '-name' flag");
    const body = { Name: name, Description: flags.string('description'), Policies: links(flags, 'policy'), ...identityFlags(flags) };
    show(io, format, await aclCall<Role>(http, 'PUT', '/v1/acl/role', body), printRole);
  },
});

export const aclRoleRead = aclCommand({
  synopsis: 'Read an ACL role',
  usage: 'concord acl role read [options] -id ROLE',
  flags: ID_FLAGS,
  flagsHelp: ID_HELP,
  failure: 'Error reading role',
  async run({ flags }, http, io, format) {
    const id = await idOf(http, flags, 'role');
    show(io, format, await aclCall<Role>(http, 'GET', `/v1/acl/role/${encodeURIComponent(id)}`), printRole);
  },
});

export const aclRoleUpdate = aclCommand({
  synopsis: 'Update an ACL role',
  usage: 'concord acl role update [options] -id ROLE',
  flags: { ...SET_FLAGS, id: { kind: 'string' }, 'no-merge': { kind: 'boolean' } },
  flagsHelp: `${ID_HELP}${SET_HELP}

  -no-merge
     Replace the role's fields with what the flags give instead of adding to them.`,
  failure: 'Error updating role',
  async run({ flags }, http, io, format) {
    const given = flags.string('id');
    if (!given) throw new FlagError('Cannot update a role without specifying the -id parameter');
    const id = await fullId(http, 'role', given);
    const merge = !flags.bool('no-merge');
    const current: Role = merge ? await aclCall<Role>(http, 'GET', `/v1/acl/role/${encodeURIComponent(id)}`) : { ID: id, Name: '', Description: '' };
    if (!merge && !flags.string('name')) throw new FlagError("Missing required '-name' flag");
    const added = links(flags, 'policy');
    const body = {
      ID: id,
      Name: flags.string('name') || current.Name,
      Description: flags.has('description') ? flags.string('description') : current.Description,
      Policies: [...(current.Policies ?? []).map((p) => ({ ID: p.ID })), ...added],
      ...updatedIdentities(current, identityFlags(flags), { service: true, node: true, serviceGiven: true, nodeGiven: true }),
    };
    show(io, format, await aclCall<Role>(http, 'PUT', `/v1/acl/role/${encodeURIComponent(id)}`, body), printRole);
  },
});

export const aclRoleDelete = aclCommand({
  synopsis: 'Delete an ACL role',
  usage: 'concord acl role delete [options] -id ROLE',
  flags: ID_FLAGS,
  flagsHelp: ID_HELP,
  failure: 'Error deleting role',
  async run({ flags }, http, io) {
    const id = await idOf(http, flags, 'role');
    await aclCall(http, 'DELETE', `/v1/acl/role/${encodeURIComponent(id)}`);
    io.out(`Role "${id}" deleted successfully`);
  },
});

export const aclRoleList = aclCommand({
  synopsis: 'List ACL roles',
  usage: 'concord acl role list [options]',
  failure: 'Failed to retrieve the role list',
  async run(_line, http, io, format) {
    showList(io, format, await aclCall<Role[]>(http, 'GET', '/v1/acl/roles'), printRole);
  },
});
