/**
 * Step 9 of a role's assembly: the HTTP and HTTPS listeners, one per address, all on the first
 * one's port, with the agent's timeouts and a drain at shutdown.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type Server as HttpsServer, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { AgentConfig } from '../config/config.js';
import { answerClientError } from '../http/client-error.js';
import type { ConnectionGuard } from '../http/connection-guard.js';
import { HttpDrain } from '../http/drain.js';
import { CompressingResponse } from '../http/gzip-response.js';
import { answerPlaintextOnHttps } from '../http/https-plaintext.js';
import type { AgentTls } from '../tls/agent-tls.js';
import type { Cleanups } from './cleanups.js';

const HTTP_KEEP_ALIVE_MS = 30_000;
/** Timeouts are checked every second, so a short `limits.http_headers_timeout` is kept closely. */
const CONNECTIONS_CHECKING_INTERVAL_MS = 1000;
/** How long requests in progress (forwarded writes among them) may take to finish at shutdown. */
const HTTP_DRAIN_MS = 3000;

/** Starts an HTTP or HTTPS listener with the agent's timeouts (blocking queries are never cut). */
async function listenHttp<S extends Server | HttpsServer>(server: S, port: number, host: string, headersTimeoutMs: number, guard: ConnectionGuard): Promise<S> {
  server.keepAliveTimeout = HTTP_KEEP_ALIVE_MS;
  server.headersTimeout = headersTimeoutMs;
  // Request bodies are timed by the guard, never responses (blocking queries).
  server.requestTimeout = 0;
  server.on('clientError', answerClientError);
  guard.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** One HTTP listener per HTTP address (`-client` may name several), all on the first one's port; HTTPS likewise. */
export async function listenHttpAll(
  config: AgentConfig,
  tls: AgentTls,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  guard: ConnectionGuard,
  cleanups: Cleanups,
): Promise<{ httpPort: number; httpsPort: number }> {
  let httpPort = -1;
  if (config.ports.http >= 0) {
    let port = config.ports.http;
    for (const addr of config.httpAddrs) {
      const http = await listenHttp(
        createServer({ ServerResponse: CompressingResponse, connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS }, handle),
        port,
        addr,
        config.bounds.httpHeadersTimeoutMs,
        guard,
      );
      const drain = new HttpDrain(http);
      cleanups.push(() => drain.close(HTTP_DRAIN_MS));
      port = (http.address() as AddressInfo).port;
      httpPort = port;
    }
  }
  let httpsPort = -1;
  if (tls.httpsOptions) {
    // HTTPS likewise on every HTTPS address.
    let port = config.ports.https;
    for (const addr of config.httpsAddrs) {
      const httpsServer = createHttpsServer({ ...tls.httpsOptions, ServerResponse: CompressingResponse, connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS }, handle);
      answerPlaintextOnHttps(httpsServer);
      const https = await listenHttp(httpsServer, port, addr, config.bounds.httpHeadersTimeoutMs, guard);
      tls.onHttpsChange((ctx) => https.setSecureContext({ ...tls.httpsOptions, ...ctx }));
      const drain = new HttpDrain(https);
      cleanups.push(() => drain.close(HTTP_DRAIN_MS));
      port = (https.address() as AddressInfo).port;
      httpsPort = port;
    }
  }
  return { httpPort, httpsPort };
}
