/** Every command, by its full name ("kv put", "operator raft list-peers"). */
import type { Command } from './command.js';
import { agent } from './commands/agent.js';
import { catalogGroup } from './commands/catalog/index.js';
import { catalogNodes } from './commands/catalog/nodes.js';
import { catalogServices } from './commands/catalog/services.js';
import { info } from './commands/info.js';
import { kvDelete } from './commands/kv/delete.js';
import { kvExport } from './commands/kv/export.js';
import { kvGet } from './commands/kv/get.js';
import { kvImport } from './commands/kv/import.js';
import { kvGroup } from './commands/kv/index.js';
import { kvPut } from './commands/kv/put.js';
import { members } from './commands/members.js';
import { operatorGroup, operatorRaftGroup } from './commands/operator/index.js';
import { raftListPeers } from './commands/operator/raft-list-peers.js';
import { servicesDeregister } from './commands/services/deregister.js';
import { servicesGroup } from './commands/services/index.js';
import { servicesRegister } from './commands/services/register.js';
import { version } from './commands/version.js';

export const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>([
  ['agent', agent],
  ['catalog', catalogGroup],
  ['catalog nodes', catalogNodes],
  ['catalog services', catalogServices],
  ['info', info],
  ['kv', kvGroup],
  ['kv delete', kvDelete],
  ['kv export', kvExport],
  ['kv get', kvGet],
  ['kv import', kvImport],
  ['kv put', kvPut],
  ['members', members],
  ['operator', operatorGroup],
  ['operator raft', operatorRaftGroup],
  ['operator raft list-peers', raftListPeers],
  ['services', servicesGroup],
  ['services deregister', servicesDeregister],
  ['services register', servicesRegister],
  ['version', version],
]);
