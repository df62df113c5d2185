import type { AclPolicy, AclRole, AclToken } from '../src/index.js';

/** A policy as a write carries it (indexes are set on apply). */
export const aclPolicy = (id: string, name: string, over: Partial<AclPolicy> = {}): AclPolicy => ({
  ID: id,
  Name: name,
  Description: '',
  Rules: '',
  Datacenters: [],
  Hash: 'h',
  CreateIndex: 0,
  ModifyIndex: 0,
  ...over,
});

/** A global token linking policies by ID. */
export const aclToken = (accessor: string, secret: string, policies: string[] = [], over: Partial<AclToken> = {}): AclToken => ({
  AccessorID: accessor,
  SecretID: secret,
  Description: '',
  Policies: policies.map((ID) => ({ ID, Name: '' })),
  Roles: [],
  Local: false,
  CreateTime: '2026-01-01T00:00:00Z',
  Hash: 'h',
  CreateIndex: 0,
  ModifyIndex: 0,
  ...over,
});

/** A role linking policies by ID. */
export const aclRole = (id: string, name: string, policies: string[]): AclRole => ({
  ID: id,
  Name: name,
  Description: '',
  Policies: policies.map((ID) => ({ ID, Name: '' })),
  Hash: 'h',
  CreateIndex: 0,
  ModifyIndex: 0,
});
