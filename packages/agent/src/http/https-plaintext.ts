/**
 * The HTTPS listener answers a plain HTTP request the way Go's net/http does (and so Consul):
 * `400 Bad Request` with "Client sent an HTTP request to an HTTPS server.", instead of dropping
 * the connection without a word. It reads the first byte of each connection: a TLS handshake
 * record goes on to the TLS server, anything else gets that answer. A connection that sends
 * nothing within the deadline is closed.
 */
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';

/** First byte of a TLS record carrying a handshake. */
const TLS_HANDSHAKE = 0x16;
/** How long a new connection may stay silent before it is closed. */
const FIRST_BYTE_MS = 10_000;
const BODY = 'Client sent an HTTP request to an HTTPS server.\n';
const PLAINTEXT_ANSWER = `HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(BODY)}\r\nConnection: close\r\n\r\n${BODY}`;

/** Puts the first-byte check in front of `server`'s TLS handling; call before anything else listens. */
export function answerPlaintextOnHttps(server: HttpsServer): void {
  const [tlsOnConnection] = server.listeners('connection') as ((socket: Socket) => void)[];
  if (!tlsOnConnection) return;
  server.removeListener('connection', tlsOnConnection);
  server.prependListener('connection', (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), FIRST_BYTE_MS);
    const onError = (): void => {
      clearTimeout(timer);
      socket.destroy();
    };
    socket.once('error', onError);
    socket.once('readable', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      const first = socket.read(1) as Buffer | null;
      if (!first) {
        socket.destroy();
        return;
      }
      socket.unshift(first);
      if (first[0] === TLS_HANDSHAKE) {
        tlsOnConnection.call(server, socket);
        return;
      }
      socket.on('error', () => socket.destroy());
      socket.end(PLAINTEXT_ANSWER);
    });
  });
}
