// Child process for the kill -9 test: a single-node cluster on LevelStorage that proposes without
// pause and prints each acknowledged index and value, until it is killed.
import { MemoryNetwork, RaftNode } from '../src/index.js';
import { LevelStorage } from '../src/level.js';
import { KvMachine, writeWithoutPause } from './_kv-machine.js';

const dir = process.argv[2]!;
const net = new MemoryNetwork();
const node = await RaftNode.start({
  id: 'solo',
  storage: await LevelStorage.open(dir),
  transport: net.transport('solo'),
  stateMachine: new KvMachine(),
  bootstrap: ['solo'],
  tickMs: 10,
});
while (!node.isLeader()) await new Promise((r) => setTimeout(r, 5));
await writeWithoutPause(node, 16, (index, v) => process.stdout.write(`ack ${index} ${v}\n`));
