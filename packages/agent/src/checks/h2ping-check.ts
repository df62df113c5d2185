import { connect } from 'node:http2';
import type { CheckResult, Probe } from './types.js';
import { errorText } from './types.js';

/** An HTTP/2 PING check against `host:port` (TLS when `useTls`). */
export function h2pingProbe(target: string, useTls: boolean, tlsSkipVerify: boolean): Probe {
  return (ctx) =>
    new Promise<CheckResult>((resolve) => {
      const authority = `${useTls ? 'https' : 'http'}://${target}`;
      let session: ReturnType<typeof connect>;
      const done = (r: CheckResult): void => {
        session?.destroy();
        resolve(r);
      };
      try {
        session = connect(authority, useTls ? { rejectUnauthorized: !tlsSkipVerify } : {});
      } catch (err) {
        resolve({ status: 'critical', output: `Failed to dial ${target}: ${errorText(err)}` });
        return;
      }
      ctx.signal.addEventListener('abort', () => done({ status: 'critical', output: `Failed to ping ${target}: timeout` }), { once: true });
      session.on('error', (err) => done({ status: 'critical', output: `Failed to dial ${target}: ${errorText(err)}` }));
      session.on('connect', () => {
        session.ping((err) => {
          if (err) done({ status: 'critical', output: `Failed to ping ${target}: ${errorText(err)}` });
          else done({ status: 'passing', output: 'HTTP2 ping was successful' });
        });
      });
    });
}
