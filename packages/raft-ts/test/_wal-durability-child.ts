// Child process for the kill -9 test of WalStorage: a single-node cluster on WalStorage with small
// segments (so that it rolls over and compacts while it writes) that proposes without pause and
// prints each acknowledged index and value, until it is killed.
import { MemoryNetwork, RaftNode, WalStorage } from '../src/index.js';
import { KvMachine, writeWithoutPause } from './_kv-machine.js';

const dir = process.argv[2]!;
const net = new MemoryNetwork();
const node = await RaftNode.start({
  id: 'solo',
  storage: await WalStorage.open(dir, { segmentBytes: 64 * 1024 }),
  transport: net.transport('solo'),
  stateMachine: new KvMachine(),
  bootstrap: ['solo'],
  tickMs: 10,
  snapshotThreshold: 500,
  trailingLogs: 100,
});
while (!node.isLeader()) await new Promise((r) => setTimeout(r, 5));
await writeWithoutPause(node, 16, (index, v) => process.stdout.write(`ack ${index} ${v}\n`));
