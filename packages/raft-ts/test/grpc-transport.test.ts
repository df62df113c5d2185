import test from 'ava';
import { GrpcTransport } from '../src/grpc.js';
import { message, type Message } from '../src/index.js';
import { waitFor } from './_kv-machine.js';
import { transportContract } from './_transport-contract.js';
import { type Endpoint, recordingEndpoint } from './_transport-endpoint.js';

async function endpoint(t: { teardown(fn: () => Promise<void>): void }, id: string, port = 0): Promise<Endpoint<GrpcTransport>> {
  return recordingEndpoint(t, new GrpcTransport({ id, listen: `127.0.0.1:${port}` }));
}

transportContract(endpoint);

test('the Raft service can be registered on a gRPC server the caller owns', async (t) => {
  const grpc = await import('@grpc/grpc-js');
  const server = new grpc.Server();
  const b = new GrpcTransport({ id: 'b', server });
  const received: Message[] = [];
  await b.start({ onMessage: (m) => received.push(m), onUnreachable() {}, onSnapshotStatus() {} });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  t.teardown(async () => {
    await b.close();
    server.forceShutdown();
  });
  const a = await endpoint(t, 'a');
  a.transport.setPeer('b', `127.0.0.1:${port}`);
  a.transport.send(message({ type: 'heartbeat', from: 'a', to: 'b', term: 3 }));
  await waitFor(() => received.length === 1, 5000, 'the heartbeat');
  t.is(received[0]!.term, 3);
});
