/** Every command, by its full name ("kv put", "operator raft list-peers"). */
import type { Command } from './command.js';
import { agent } from './commands/agent.js';
import { catalogGroup } from './commands/catalog/index.js';
import { catalogNodes } from './commands/catalog/nodes.js';
import { catalogServices } from './commands/catalog/services.js';
import { event } from './commands/event.js';
import { forceLeave } from './commands/force-leave.js';
import { info } from './commands/info.js';
import { join } from './commands/join.js';
import { keygen } from './commands/keygen.js';
import { keyring } from './commands/keyring.js';
import { kvDelete } from './commands/kv/delete.js';
import { kvExport } from './commands/kv/export.js';
import { kvGet } from './commands/kv/get.js';
import { kvImport } from './commands/kv/import.js';
import { kvGroup } from './commands/kv/index.js';
import { kvPut } from './commands/kv/put.js';
import { leave } from './commands/leave.js';
import { lock } from './commands/lock.js';
import { maint } from './commands/maint.js';
import { members } from './commands/members.js';
import { operatorGroup, operatorRaftGroup } from './commands/operator/index.js';
import { raftListPeers } from './commands/operator/raft-list-peers.js';
import { raftRemovePeer } from './commands/operator/raft-remove-peer.js';
import { registrator } from './commands/registrator.js';
import { reload } from './commands/reload.js';
import { rtt } from './commands/rtt.js';
import { servicesDeregister } from './commands/services/deregister.js';
import { servicesGroup } from './commands/services/index.js';
import { servicesRegister } from './commands/services/register.js';
import { snapshotGroup } from './commands/snapshot/index.js';
import { snapshotInspect } from './commands/snapshot/inspect.js';
import { snapshotRestore } from './commands/snapshot/restore.js';
import { snapshotSave } from './commands/snapshot/save.js';
import { template } from './commands/template.js';
import { tlsCaGroup, tlsCertGroup, tlsGroup } from './commands/tls/index.js';
import { tlsCaCreate } from './commands/tls/ca-create.js';
import { tlsCertCreate } from './commands/tls/cert-create.js';
import { watch } from './commands/watch.js';
import { version } from './commands/version.js';

export const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>([
  ['agent', agent],
  ['catalog', catalogGroup],
  ['catalog nodes', catalogNodes],
  ['catalog services', catalogServices],
  ['event', event],
  ['force-leave', forceLeave],
  ['info', info],
  ['join', join],
  ['keygen', keygen],
  ['keyring', keyring],
  ['kv', kvGroup],
  ['kv delete', kvDelete],
  ['kv export', kvExport],
  ['kv get', kvGet],
  ['kv import', kvImport],
  ['kv put', kvPut],
  ['leave', leave],
  ['lock', lock],
  ['maint', maint],
  ['members', members],
  ['operator', operatorGroup],
  ['operator raft', operatorRaftGroup],
  ['operator raft list-peers', raftListPeers],
  ['operator raft remove-peer', raftRemovePeer],
  ['registrator', registrator],
  ['reload', reload],
  ['rtt', rtt],
  ['services', servicesGroup],
  ['services deregister', servicesDeregister],
  ['services register', servicesRegister],
  ['snapshot', snapshotGroup],
  ['snapshot inspect', snapshotInspect],
  ['snapshot restore', snapshotRestore],
  ['snapshot save', snapshotSave],
  ['template', template],
  ['tls', tlsGroup],
  ['tls ca', tlsCaGroup],
  ['tls ca create', tlsCaCreate],
  ['tls cert', tlsCertGroup],
  ['tls cert create', tlsCertCreate],
  ['version', version],
  ['watch', watch],
]);
