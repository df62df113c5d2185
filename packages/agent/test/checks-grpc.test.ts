import { Server, ServerCredentials, status as grpcStatus, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import test, { type ExecutionContext } from 'ava';
import { decodeHealthResponse, encodeHealthRequest } from '../src/checks/grpc-check.js';
import { putOk, startTestAgent, waitForStatus } from './_local-helpers.js';

/** Decodes `HealthCheckRequest.service` (field 1, short strings only). */
function requestedService(buf: Buffer): string {
  if (buf.length < 2 || buf[0] !== 0x0a) return '';
  return buf.subarray(2, 2 + (buf[1] as number)).toString('utf8');
}

async function healthServer(t: ExecutionContext, statuses: Map<string, number>): Promise<string> {
  const server = new Server();
  const identity = (b: Buffer) => b;
  server.addService(
    {
      Check: {
        path: '/grpc.health.v1.Health/Check',
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    {
      Check: (call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => {
        const status = statuses.get(requestedService(call.request));
        if (status === undefined) cb({ code: grpcStatus.NOT_FOUND, details: 'unknown service' });
        else cb(null, Buffer.from([0x08, status]));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  t.teardown(() => server.forceShutdown());
  return `127.0.0.1:${port}`;
}

test('a gRPC check follows the standard health service of the target', async (t) => {
  const statuses = new Map([
    ['', 1],
    ['billing', 1],
  ]);
  const addr = await healthServer(t, statuses);
  const { base } = await startTestAgent(t);
  await putOk(t, base, '/v1/agent/service/register', {
    Name: 'billing',
    Checks: [
      { CheckID: 'all', GRPC: addr, Interval: '200ms' },
      { CheckID: 'one', GRPC: `${addr}/billing`, Interval: '200ms' },
      { CheckID: 'unknown', GRPC: `${addr}/nope`, Interval: '200ms', Status: 'passing' },
    ],
  });
  let c = await waitForStatus(base, 'billing', 'one', 'passing', 1200);
  t.is(c?.Output, `gRPC check ${addr}/billing: success`);
  t.is((await waitForStatus(base, 'billing', 'all', 'passing', 1200))?.Status, 'passing');
  c = await waitForStatus(base, 'billing', 'unknown', 'critical', 1200);
  t.regex(c?.Output ?? '', /unknown service/);
  statuses.set('billing', 2);
  c = await waitForStatus(base, 'billing', 'one', 'critical', 1200);
  t.is(c?.Output, `gRPC ${addr}/billing serving status: NOT_SERVING`);
});

test('the health request and response encode as the protobuf messages', (t) => {
  t.deepEqual(encodeHealthRequest(''), Buffer.alloc(0));
  t.deepEqual(encodeHealthRequest('ab'), Buffer.from([0x0a, 2, 0x61, 0x62]));
  t.is(decodeHealthResponse(Buffer.from([0x08, 1])), 1);
  t.is(decodeHealthResponse(Buffer.alloc(0)), 0);
});
