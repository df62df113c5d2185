// A Raft server in its own process for the kill -9 cluster test: LevelStorage, the gRPC
// transport, a key-value state machine, driven by its parent over IPC.
import { RaftNode } from '../src/index.js';
import { GrpcTransport } from '../src/grpc.js';
import { LevelStorage } from '../src/level.js';
import { KvMachine, cmd } from './_kv-machine.js';

const [id, dir, port, peersJson, bootstrapJson] = process.argv.slice(2) as [string, string, string, string, string];
const sm = new KvMachine();
const node = await RaftNode.start({
  id,
  storage: await LevelStorage.open(dir),
  transport: new GrpcTransport({ id, listen: `127.0.0.1:${port}`, peers: JSON.parse(peersJson) as Record<string, string> }),
  stateMachine: sm,
  bootstrap: JSON.parse(bootstrapJson) as string[],
  tickMs: 20,
  snapshotThreshold: 2000,
  trailingLogs: 200,
});

interface Request {
  seq: number;
  cmd: 'status' | 'propose' | 'state';
  values?: number[];
}

process.on('message', (req: Request) => {
  void (async () => {
    switch (req.cmd) {
      case 'status': {
        const s = node.status();
        process.send!({ seq: req.seq, isLeader: node.isLeader(), applied: s.applied, commit: s.commit, snapshotsInstalled: node.metrics.snapshotsInstalled });
        return;
      }
      case 'propose': {
        // Write k<v> = v for each value; report which were acknowledged.
        const acked: number[] = [];
        const values = req.values ?? [];
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < values.length) {
            const v = values[next++]!;
            try {
              await node.propose(cmd(`k${v}=${v}`));
              acked.push(v);
            } catch {
              // not leader any more, or the outcome is unknown: the parent retries elsewhere
            }
          }
        };
        await Promise.all(Array.from({ length: 64 }, worker));
        process.send!({ seq: req.seq, acked, final: node.isLeader() ? (await node.propose(cmd('barrier=1')).catch(() => undefined))?.index : undefined });
        return;
      }
      case 'state':
        process.send!({ seq: req.seq, applied: node.status().applied, map: [...sm.map.entries()].sort() });
        return;
    }
  })();
});
process.send!({ ready: true });
