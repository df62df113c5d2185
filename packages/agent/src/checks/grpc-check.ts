import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import type { CheckResult, Probe } from './types.js';
import { errorText } from './types.js';

const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

/** `grpc.health.v1.HealthCheckRequest { string service = 1; }` */
export function encodeHealthRequest(service: string): Buffer {
  if (!service) return Buffer.alloc(0);
  const name = Buffer.from(service, 'utf8');
  const len: number[] = [];
  let n = name.length;
  while (n > 0x7f) {
    len.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  len.push(n);
  return Buffer.concat([Buffer.from([0x0a, ...len]), name]);
}

/** `grpc.health.v1.HealthCheckResponse { ServingStatus status = 1; }`: the status number. */
export function decodeHealthResponse(buf: Buffer): number {
  let i = 0;
  let status = 0;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++];
      if (b === undefined) throw new Error('truncated health response');
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const wire = key & 7;
    if (key >>> 3 === 1 && wire === 0) status = varint();
    else if (wire === 0) varint();
    else if (wire === 2) i += varint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error('malformed health response');
  }
  return status;
}

/** Splits `host:port[/service]`. */
export function grpcTarget(target: string): { address: string; service: string } {
  const slash = target.indexOf('/');
  return slash < 0 ? { address: target, service: '' } : { address: target.slice(0, slash), service: target.slice(slash + 1) };
}

/** A gRPC check through the standard health service: SERVING passing, anything else critical. */
export function grpcProbe(target: string, useTls: boolean, tlsSkipVerify: boolean): Probe {
  const { address, service } = grpcTarget(target);
  return (ctx) =>
    new Promise<CheckResult>((resolve) => {
      let client: Client;
      try {
        const creds = useTls ? credentials.createSsl(null, null, null, tlsSkipVerify ? { checkServerIdentity: () => undefined } : {}) : credentials.createInsecure();
        client = new Client(address, creds);
      } catch (err) {
        resolve({ status: 'critical', output: `gRPC check ${target}: ${errorText(err)}` });
        return;
      }
      const done = (r: CheckResult): void => {
        client.close();
        resolve(r);
      };
      const call = client.makeUnaryRequest<Buffer, Buffer>(
        '/grpc.health.v1.Health/Check',
        (b) => b,
        (b) => b,
        encodeHealthRequest(service),
        new Metadata(),
        { deadline: Date.now() + ctx.timeoutMs },
        (err: ServiceError | null, res?: Buffer) => {
          if (err) {
            done({ status: 'critical', output: `gRPC check ${target}: failed: ${err.details || err.message}` });
            return;
          }
          try {
            const code = decodeHealthResponse(res ?? Buffer.alloc(0));
            if (code === 1) done({ status: 'passing', output: `gRPC check ${target}: success` });
            else done({ status: 'critical', output: `gRPC ${target} serving status: ${SERVING_STATUS[code] ?? code}` });
          } catch (e) {
            done({ status: 'critical', output: `gRPC check ${target}: ${errorText(e)}` });
          }
        },
      );
      ctx.signal.addEventListener('abort', () => call.cancel(), { once: true });
    });
}
