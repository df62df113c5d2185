import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { CheckResult, Probe } from './types.js';
import { errorText } from './types.js';
import { splitHostPort } from './tcp-check.js';
import { MAX_TIMER_MS } from './long-timer.js';

/**
 * A UDP check as Consul runs it: send a datagram and wait for an answer until the timeout. An
 * answer or silence (no ICMP error) is passing; an error (port unreachable, ...) is critical.
 * The wait ends a little before the run's deadline so silence is seen as silence.
 */
export function udpProbe(addr: string): Probe {
  return (ctx) =>
    new Promise<CheckResult>((resolve) => {
      let host: string;
      let port: number;
      try {
        ({ host, port } = splitHostPort(addr));
      } catch (err) {
        resolve({ status: 'critical', output: errorText(err) });
        return;
      }
      const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
      let finished = false;
      const success: CheckResult = { status: 'passing', output: `UDP connect ${addr}: Success` };
      const done = (r: CheckResult): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        socket.close();
        resolve(r);
      };
      const onAbort = (): void => done(success);
      const timer = setTimeout(onAbort, Math.min(MAX_TIMER_MS, Math.max(1, ctx.timeoutMs - 50)));
      ctx.signal.addEventListener('abort', onAbort);
      socket.on('error', (err) => done({ status: 'critical', output: `UDP connect ${addr}: ${errorText(err)}` }));
      socket.on('message', () => done(success));
      socket.connect(port, host, () => {
        socket.send(Buffer.from('hello'), (err) => {
          if (err) done({ status: 'critical', output: `UDP write ${addr}: ${errorText(err)}` });
        });
      });
    });
}
