/** A transport under test with what its handler received, for the transport tests. */
import { message, type Message, type Transport } from '../src/index.js';

export interface Endpoint<T extends Transport> {
  transport: T;
  received: { m: Message; at: number }[];
  snapshotStatus: { id: string; ok: boolean; at: number }[];
  unreachable: string[];
}

/** Starts `transport` with a handler that records everything, and closes it at teardown. */
export async function recordingEndpoint<T extends Transport>(t: { teardown(fn: () => Promise<void>): void }, transport: T): Promise<Endpoint<T>> {
  const e: Endpoint<T> = { transport, received: [], snapshotStatus: [], unreachable: [] };
  await transport.start({
    onMessage: (m) => e.received.push({ m, at: performance.now() }),
    onUnreachable: (x) => e.unreachable.push(x),
    onSnapshotStatus: (x, ok) => e.snapshotStatus.push({ id: x, ok, at: performance.now() }),
  });
  t.teardown(() => transport.close());
  return e;
}

/** A snapshot message from a to b with `bytes` of patterned data. */
export function snapMessage(bytes: number): Message {
  const data = new Uint8Array(bytes).map((_, i) => (i * 7) % 256);
  return message({
    type: 'snap',
    from: 'a',
    to: 'b',
    term: 4,
    snapshot: { meta: { index: 900, term: 3, conf: { voters: ['a', 'b', 'c'], learners: ['d'] } }, data },
  });
}
