/**
 * One HTTP request and its whole answer, over node:http or node:https (with their keep-alive
 * global agents). Not `fetch`: it refuses the ports on the Fetch standard's "bad port" list
 * (1, 6000, 5060, 6665-6669, 10080, ...), where a Consul agent may well listen, and it gives up on
 * headers that take over 300 s, which a long blocking query can.
 */
import * as http from 'node:http';
import * as https from 'node:https';

export interface ExchangeInit {
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  readonly signal?: AbortSignal;
  /** Connection pool to use (e.g. an HTTPS agent with the CA and a client certificate). */
  readonly agent?: http.Agent;
}

export interface Exchanged {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** Sends the request; rejects with the socket's error (e.g. `connect ECONNREFUSED ...`) or an AbortError. */
export function exchange(url: URL, init: ExchangeInit): Promise<Exchanged> {
  const send = url.protocol === 'https:' ? https.request : http.request;
  const headers: Record<string, string | number> = { ...init.headers };
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? Buffer.from(init.body) : init.body;
  if (body !== undefined) headers['Content-Length'] = body.byteLength;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: init.method, headers, signal: init.signal, ...(init.agent ? { agent: init.agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const out = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (Array.isArray(value)) for (const v of value) out.append(name, v);
          else if (value !== undefined) out.append(name, value);
        }
        resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
