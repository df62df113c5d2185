/**
 * Requests Node's HTTP parser refuses before any handler sees them (an unknown method, a broken
 * chunk, a bad Content-Length, headers over the size limit) get a status and a plain-text reason
 * instead of Node's empty answer. An unknown method is a 405 as Consul (whose Go server accepts
 * any method token) answers it; a connection that is already answering is just closed.
 */
import type { Socket } from 'node:net';

interface ParserError extends Error {
  code?: string;
  reason?: string;
  rawPacket?: Buffer;
}

const METHOD_TOKEN = /^([!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}) /;

function plainAnswer(status: number, statusText: string, body: string): string {
  const text = `${body}\n`;
  return `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: text/plain; charset=utf-8\r\n` + `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`;
}

/** The answer for a request the parser refused. */
export function clientErrorAnswer(err: ParserError): string {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return plainAnswer(431, 'Request Header Fields Too Large', 'Request header fields too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return plainAnswer(408, 'Request Timeout', 'Request timeout');
    case 'HPE_INVALID_METHOD': {
      const method = METHOD_TOKEN.exec(err.rawPacket?.toString('latin1') ?? '')?.[1];
      if (method) return plainAnswer(405, 'Method Not Allowed', `method ${method} not allowed`);
      break;
    }
  }
  return plainAnswer(400, 'Bad Request', `Bad request: ${err.reason ?? err.message}`.replace(/[\r\n]+/g, ' '));
}

/** The `clientError` listener of the agent's HTTP and HTTPS servers. */
export function answerClientError(err: ParserError, socket: Socket & { _httpMessage?: { headersSent?: boolean } }): void {
  // Node's own rule: no answer once a response on this connection has started.
  if (err.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  socket.end(clientErrorAnswer(err));
}
