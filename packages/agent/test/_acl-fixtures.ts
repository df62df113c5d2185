/** ACL entries for the replication tests: names, secrets and hashes derived from the ID. */
import type { AclPolicy, AclToken } from '@concord/state';

export const aclPolicy = (id: string, over: Partial<AclPolicy> = {}): AclPolicy => ({
  ID: id,
  Name: `n-${id}`,
  Description: '',
  Rules: '',
  Datacenters: [],
  Hash: `h-${id}`,
  CreateIndex: 0,
  ModifyIndex: 0,
  ...over,
});

export const aclToken = (id: string, over: Partial<AclToken> = {}): AclToken => ({
  AccessorID: id,
  SecretID: `s-${id}`,
  Description: '',
  Policies: [],
  Roles: [],
  Local: false,
  CreateTime: '',
  Hash: `h-${id}`,
  CreateIndex: 0,
  ModifyIndex: 0,
  ...over,
});

/** Consul's ACLReplicationStatus where nothing replicates (the primary, or before leadership). */
export const ZERO_REPLICATION_STATUS = {
  Enabled: false,
  Running: false,
  SourceDatacenter: '',
  ReplicationType: '',
  ReplicatedIndex: 0,
  ReplicatedRoleIndex: 0,
  ReplicatedTokenIndex: 0,
  LastSuccess: '0001-01-01T00:00:00Z',
  LastError: '0001-01-01T00:00:00Z',
  LastErrorMessage: '',
};
