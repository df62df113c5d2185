// Child process for the kill -9 test of snapshots: a single-node cluster on LevelStorage that
// proposes without pause and prints each acknowledged value. Its first snapshot is stored at once;
// the second is captured, its first piece written, and the rest never comes, so that the process
// is killed while that snapshot is being written.
import { MemoryNetwork, RaftNode } from '../src/index.js';
import { LevelStorage } from '../src/level.js';
import { KvMachine, writeWithoutPause } from './_kv-machine.js';

const enc = new TextEncoder();

class SlowSecondSnapshot extends KvMachine {
  #captures = 0;

  snapshotPieces(): AsyncIterable<Uint8Array> {
    const capture = ++this.#captures;
    const json = JSON.stringify([...this.map]);
    process.stdout.write(`capture ${capture} ${this.appliedIndex}\n`);
    return (async function* pieces() {
      if (capture === 1) {
        yield enc.encode(json);
        return;
      }
      // a large first piece, then a stall: the snapshot stays in progress until the kill
      yield enc.encode(`${json}${' '.repeat(4 * 1024 * 1024)}`);
      process.stdout.write('piece written\n');
      await new Promise((resolve) => setTimeout(resolve, 600_000));
    })();
  }
}

const dir = process.argv[2]!;
const node = await RaftNode.start({
  id: 'solo',
  storage: await LevelStorage.open(dir),
  transport: new MemoryNetwork().transport('solo'),
  stateMachine: new SlowSecondSnapshot(),
  bootstrap: ['solo'],
  tickMs: 10,
  snapshotThreshold: 500,
  trailingLogs: 50,
});
node.on('snapshot', (e) => process.stdout.write(`stored ${e.index}\n`));
while (!node.isLeader()) await new Promise((r) => setTimeout(r, 5));
await writeWithoutPause(node, 8, (index, v) => process.stdout.write(`ack ${index} ${v}\n`));
