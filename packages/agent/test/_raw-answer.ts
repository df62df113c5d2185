/** One request through node:http, which neither adds Accept-Encoding nor decodes the body. */
import { request } from 'node:http';
import type { AgentProcess } from './_agent.js';

export interface RawAnswer {
  status: number;
  /** Header names (lower case) and values in the order they were sent, Date left out. */
  headers: [string, string][];
  body: Buffer;
  /** From sending the request to the end of the answer. */
  ms: number;
}

export function rawRequest(agent: Pick<AgentProcess, 'port'>, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<RawAnswer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: agent.port, method, path, headers, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const pairs: [string, string][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = (res.rawHeaders[i] as string).toLowerCase();
          if (name !== 'date') pairs.push([name, res.rawHeaders[i + 1] as string]);
        }
        resolve({ status: res.statusCode ?? 0, headers: pairs, body: Buffer.concat(chunks), ms: performance.now() - started });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
