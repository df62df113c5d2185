/** `concord acl token create|read|update|clone|delete|list`. */
import { FlagError } from '@concord/goflags';
import { IDENTITY_FLAGS, IDENTITY_HELP, fullId, identityFlags, type Token, aclCall, links, printToken, show, showList, updatedIdentities } from './common.js';
import { aclCommand } from './command-kit.js';

const LINK_FLAGS = {
  'policy-id': { kind: 'list' },
  'policy-name': { kind: 'list' },
  'role-id': { kind: 'list' },
  'role-name': { kind: 'list' },
  description: { kind: 'string' },
  ...IDENTITY_FLAGS,
} as const;
const LINK_HELP = `
  -description=<string>
     A description of the token.

  -policy-id=<string>, -policy-name=<string>
     A policy to link, by ID or name; may be given several times.

  -role-id=<string>, -role-name=<string>
     A role to link, by ID or name; may be given several times.${IDENTITY_HELP}`;
const ID_HELP = `
  -id=<string>
     The accessor ID of the token.`;

export const aclTokenCreate = aclCommand({
  synopsis: 'Create an ACL token',
  usage: 'concord acl token create [options]',
  flags: { ...LINK_FLAGS, secret: { kind: 'string' }, accessor: { kind: 'string' }, local: { kind: 'boolean' }, 'expires-ttl': { kind: 'string' } },
  flagsHelp: `${LINK_HELP}

  -accessor=<string>, -secret=<string>
     Use these IDs instead of generated ones (UUIDs).

  -local
     Create the token in this datacenter only.

  -expires-ttl=<duration>
     How long until the token expires (between 1m and 24h).`,
  failure: 'Failed to create new token',
  async run({ flags }, http, io, format) {
    const body = {
      Description: flags.string('description'),
      Policies: links(flags, 'policy'),
      Roles: links(flags, 'role'),
      ...identityFlags(flags),
      Local: flags.bool('local'),
      ...(flags.string('accessor') ? { AccessorID: flags.string('accessor') } : {}),
      ...(flags.string('secret') ? { SecretID: flags.string('secret') } : {}),
      ...(flags.string('expires-ttl') ? { ExpirationTTL: flags.string('expires-ttl') } : {}),
    };
    show(io, format, await aclCall<Token>(http, 'PUT', '/v1/acl/token', body), printToken);
  },
});

export const aclTokenRead = aclCommand({
  synopsis: 'Read an ACL token',
  usage: 'concord acl token read [options] -id TOKENID',
  flags: { id: { kind: 'string' }, self: { kind: 'boolean' }, 'accessor-id': { kind: 'string' } },
  flagsHelp: `${ID_HELP}

  -self
     Read the token the request is made with.`,
  failure: 'Error reading token',
  async run({ flags }, http, io, format) {
    const given = flags.string('id') || flags.string('accessor-id');
    if (!given && !flags.bool('self')) throw new FlagError('Must specify the -id parameter');
    const id = given ? await fullId(http, 'token', given) : '';
    const path = flags.bool('self') ? '/v1/acl/token/self' : `/v1/acl/token/${encodeURIComponent(id)}`;
    show(io, format, await aclCall<Token>(http, 'GET', path), printToken);
  },
});

export const aclTokenUpdate = aclCommand({
  synopsis: 'Update an ACL token',
  usage: 'concord acl token update [options] -id TOKENID',
  flags: {
    ...LINK_FLAGS,
    id: { kind: 'string' },
    'accessor-id': { kind: 'string' },
    'merge-policies': { kind: 'boolean' },
    'merge-roles': { kind: 'boolean' },
    'merge-service-identities': { kind: 'boolean' },
    'merge-node-identities': { kind: 'boolean' },
    'append-policy-id': { kind: 'list' },
    'append-policy-name': { kind: 'list' },
    'append-role-id': { kind: 'list' },
    'append-role-name': { kind: 'list' },
    'append-service-identity': { kind: 'list' },
    'append-node-identity': { kind: 'list' },
  },
  flagsHelp: `${ID_HELP}${LINK_HELP}

  -append-policy-id, -append-policy-name, -append-role-id, -append-role-name,
  -append-service-identity, -append-node-identity
     Add these to the token's links or identities, keeping the ones it has.

  -merge-policies, -merge-roles, -merge-service-identities, -merge-node-identities
     (Older form.) Add the given links or identities to the token's instead of replacing them.`,
  failure: 'Failed to update token',
  async run({ flags }, http, io, format) {
    const given = flags.string('id') || flags.string('accessor-id');
    if (!given) throw new FlagError('Cannot update a token without specifying the -id parameter');
    const id = await fullId(http, 'token', given);
    const current = await aclCall<Token>(http, 'GET', `/v1/acl/token/${encodeURIComponent(id)}`);
    const keep = (have: { ID: string }[] | undefined, merge: boolean, given: { ID?: string; Name?: string }[], flagged: boolean) =>
      merge ? [...(have ?? []).map((l) => ({ ID: l.ID })), ...given] : flagged ? given : (have ?? []).map((l) => ({ ID: l.ID }));
    const identities = updatedIdentities(current, identityFlags(flags), {
      service: flags.bool('merge-service-identities'),
      node: flags.bool('merge-node-identities'),
      serviceGiven: flags.has('service-identity'),
      nodeGiven: flags.has('node-identity'),
    });
    const appended = identityFlags(flags, 'append-');
    const body = {
      AccessorID: id,
      Description: flags.has('description') ? flags.string('description') : current.Description,
      Policies: [
        ...keep(current.Policies, flags.bool('merge-policies'), links(flags, 'policy'), flags.has('policy-id') || flags.has('policy-name')),
        ...links(flags, 'policy', 'append-'),
      ],
      Roles: [...keep(current.Roles, flags.bool('merge-roles'), links(flags, 'role'), flags.has('role-id') || flags.has('role-name')), ...links(flags, 'role', 'append-')],
      ServiceIdentities: [...(identities.ServiceIdentities ?? []), ...appended.ServiceIdentities],
      NodeIdentities: [...(identities.NodeIdentities ?? []), ...appended.NodeIdentities],
    };
    show(io, format, await aclCall<Token>(http, 'PUT', `/v1/acl/token/${encodeURIComponent(id)}`, body), printToken);
  },
});

export const aclTokenClone = aclCommand({
  synopsis: 'Clone an ACL token',
  usage: 'concord acl token clone [options] -id TOKENID',
  flags: { id: { kind: 'string' }, 'accessor-id': { kind: 'string' }, description: { kind: 'string' } },
  flagsHelp: `${ID_HELP}

  -description=<string>
     A description of the new token.`,
  failure: 'Failed to clone token',
  async run({ flags }, http, io, format) {
    const given = flags.string('id') || flags.string('accessor-id');
    if (!given) throw new FlagError('Cannot clone a token without specifying the -id parameter');
    const id = await fullId(http, 'token', given);
    const body = flags.has('description') ? { Description: flags.string('description') } : {};
    show(io, format, await aclCall<Token>(http, 'PUT', `/v1/acl/token/${encodeURIComponent(id)}/clone`, body), printToken);
  },
});

export const aclTokenDelete = aclCommand({
  synopsis: 'Delete an ACL token',
  usage: 'concord acl token delete [options] -id TOKENID',
  flags: { id: { kind: 'string' }, 'accessor-id': { kind: 'string' } },
  flagsHelp: ID_HELP,
  failure: 'Error deleting token',
  async run({ flags }, http, io) {
    const given = flags.string('id') || flags.string('accessor-id');
    if (!given) throw new FlagError('Must specify the -id parameter');
    const id = await fullId(http, 'token', given);
    await aclCall(http, 'DELETE', `/v1/acl/token/${encodeURIComponent(id)}`);
    io.out(`Token "${id}" deleted successfully`);
  },
});

export const aclTokenList = aclCommand({
  synopsis: 'List ACL tokens',
  usage: 'concord acl token list [options]',
  flags: { 'filter-by-policy': { kind: 'string' }, 'filter-by-role': { kind: 'string' } },
  failure: 'Failed to retrieve the token list',
  async run({ flags }, http, io, format) {
    const params: Record<string, string> = {};
    if (flags.string('filter-by-policy')) params.policy = flags.string('filter-by-policy');
    if (flags.string('filter-by-role')) params.role = flags.string('filter-by-role');
    showList(io, format, await aclCall<Token[]>(http, 'GET', '/v1/acl/tokens', undefined, params), printToken);
  },
});
