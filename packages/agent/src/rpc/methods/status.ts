/** Consul's Status and Operator endpoints: leader, peers, raft configuration, autopilot, keyring. */
import type { AutopilotConfig } from '@concord/state';
import { autopilotState } from './autopilot-state.js';
import { ArgsError, optNum, optStr, record, str } from '../args.js';
import { callMethod } from '../method.js';

const KEYRING_OPS = ['list', 'install', 'use', 'remove'] as const;
const noArgs = (raw: unknown) => (record(raw), {});

export const statusMethods = {
  'Status.Leader': callMethod('server', noArgs, async ({ agent }) => ({ value: agent.cluster.leaderAddress() })),
  'Status.Peers': callMethod('server', noArgs, async ({ agent }) => ({ value: agent.cluster.peers() })),
};

export const operatorMethods = {
  'Operator.RaftGetConfiguration': callMethod('read', noArgs, async ({ agent }) => ({ value: agent.cluster.raftConfiguration() })),
  'Operator.RaftRemovePeer': callMethod(
    'leader',
    (raw): { id?: string; address?: string } => {
      const r = record(raw);
      const id = optStr(r, 'id');
      const address = optStr(r, 'address');
      return { ...(id === undefined ? {} : { id }), ...(address === undefined ? {} : { address }) };
    },
    async ({ agent }, by) => {
      await agent.cluster.removePeer(by.id ? { id: by.id } : { address: by.address ?? '' });
      return { value: null };
    },
  ),
  'Operator.RaftTransferLeader': callMethod(
    'leader',
    (raw): { id?: string } => {
      const id = optStr(record(raw), 'id');
      return id === undefined ? {} : { id };
    },
    async ({ agent }, { id }) => {
      await agent.cluster.transferLeader(id);
      return { value: null };
    },
  ),
  'Operator.AutopilotGetConfiguration': callMethod('read', noArgs, async ({ agent }) => ({ value: agent.cluster.autopilotConfig() })),
  'Operator.AutopilotSetConfiguration': callMethod(
    'leader',
    (raw): { config: AutopilotConfig; cas?: number } => {
      const r = record(raw);
      const config = r.config;
      if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new ArgsError('config must be an object');
      const cas = optNum(r, 'cas');
      return cas === undefined ? { config: config as AutopilotConfig } : { config: config as AutopilotConfig, cas };
    },
    async ({ agent }, { config, cas }) => ({ value: await agent.cluster.setAutopilotConfig(config, cas) }),
  ),
  /** `state: true` answers autopilot's state document instead of the health one. */
  'Operator.ServerHealth': callMethod(
    'read',
    (raw) => ({ state: record(raw).state === true }),
    async ({ agent }, { state }) => {
      const health = await agent.cluster.autopilotHealth();
      return { value: state ? autopilotState(health) : health };
    },
  ),
  'Operator.KeyringOperation': callMethod(
    'server',
    (raw) => {
      const r = record(raw);
      const op = str(r, 'op');
      if (!(KEYRING_OPS as readonly string[]).includes(op)) throw new ArgsError(`unknown keyring operation ${op}`);
      return { op: op as (typeof KEYRING_OPS)[number], key: optStr(r, 'key') ?? '' };
    },
    async ({ agent }, { op, key }) => ({ value: await agent.cluster.keyring(op, key) }),
  ),
};
