/** A bare node:http server that records requests and answers what the test says. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { ExecutionContext } from 'ava';

export interface Recorded {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

export interface Reply {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export interface FakeAgent {
  readonly address: string;
  readonly requests: Recorded[];
  /** What to answer; the default is 200 with `true`. */
  reply: (req: Recorded) => Reply;
}

/** Starts on an ephemeral port, or on the first of `ports` that is free. */
export async function startFakeAgent(t: ExecutionContext, ports: readonly number[] = [0]): Promise<FakeAgent> {
  const fake: FakeAgent = { address: '', requests: [], reply: () => ({ body: 'true' }) };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: Recorded = {
        method: req.method ?? '',
        url: new URL(req.url ?? '/', 'http://fake'),
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      fake.requests.push(recorded);
      const reply = fake.reply(recorded);
      res.writeHead(reply.status ?? 200, reply.headers ?? {});
      res.end(reply.body ?? '');
    });
  });
  for (const [i, port] of ports.entries()) {
    const listening = await new Promise<boolean>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' && i < ports.length - 1 ? resolve(false) : reject(err));
      server.once('error', onError);
      server.listen(port, '127.0.0.1', () => (server.off('error', onError), resolve(true)));
    });
    if (listening) break;
  }
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as { port: number };
  return Object.assign(fake, { address: `127.0.0.1:${port}` });
}
