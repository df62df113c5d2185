/**
 * The follower → leader hop for writes that must be cheap (KV, transactions, sessions): instead of
 * a gRPC call per write, the typed call goes as a request on the Raft connection the servers
 * already keep (raft-ts/tcp: same port, same mutual TLS and `authorize` check, length-prefixed
 * frames; requests written in one turn leave in one syscall). The call is the same `CallRequest`
 * and `CallReply` protobuf the gRPC method carries, answered on the leader by the same handler
 * (ACLs, draining, Consul semantics), and a failure comes back with the same gRPC code, HTTP status
 * and text, so the agent that took the HTTP request answers exactly as before. Every other method
 * stays on gRPC.
 *
 * Request payload: `u8` length of the method name, the name, the `CallRequest`. Reply payload:
 * `u8` 0 and the `CallReply`, or `u8` 1, `u16` gRPC code, `u16` HTTP status, UTF-8 message.
 */
import * as grpc from '@grpc/grpc-js';
import { RequestError, type RequestHandler } from 'raft-ts/tcp';
import { isMethodName, type MethodName } from '../rpc/methods/index.js';
import { type CallHandler, type CallReply__Output, type CallRequest, RpcStatusError, STATUS_KEY, toServiceError } from '../rpc/transport.js';
import { NOT_READY, RpcError, wireMethod } from './rpc.js';

/** The methods carried on the Raft connection: single writes through the leader, never blocking. */
export const CHANNEL_METHODS: ReadonlySet<string> = new Set(['KVS.Apply', 'Txn.Apply', 'Session.Apply']);

/** What the channel needs of the Raft transport. */
export interface RequestTransport {
  request(to: string, payload: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
  serveRequests(handler: RequestHandler | undefined): void;
}

const ANSWERED = 0;
const FAILED = 1;

function encodeCall(name: string, body: Buffer): Buffer {
  const nameBytes = Buffer.from(name, 'latin1');
  const out = Buffer.allocUnsafe(1 + nameBytes.length + body.length);
  out[0] = nameBytes.length;
  nameBytes.copy(out, 1);
  body.copy(out, 1 + nameBytes.length);
  return out;
}

function decodeCall(payload: Uint8Array): { name: MethodName; body: Buffer } {
  const b = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (b.length < 1 || b.length < 1 + (b[0] as number)) throw new RpcStatusError('malformed forwarded call', grpc.status.INVALID_ARGUMENT, 400);
  const name = b.toString('latin1', 1, 1 + (b[0] as number));
  if (!isMethodName(name) || !CHANNEL_METHODS.has(name)) throw new RpcStatusError(`method ${name} is not taken on the Raft connection`, grpc.status.UNIMPLEMENTED, 400);
  return { name, body: b.subarray(1 + (b[0] as number)) };
}

function encodeFailure(err: unknown): Buffer {
  const se = toServiceError(err);
  const message = Buffer.from(se.details ?? '', 'utf8');
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = FAILED;
  out.writeUInt16BE(se.code ?? grpc.status.UNKNOWN, 1);
  // The HTTP status the gRPC method's failure carries in its trailers.
  const status = Number(se.metadata?.get(STATUS_KEY)[0] ?? 500);
  out.writeUInt16BE(Number.isInteger(status) ? status : 500, 3);
  message.copy(out, 5);
  return out;
}

/** Both ends of the channel on one server, with counts of the calls it carried. */
export class LeaderChannel {
  readonly #transport: RequestTransport;
  /** Calls this server sent to a leader on the channel, and calls it answered from it. */
  readonly counts = { sent: 0, answered: 0, overGrpc: 0 };

  constructor(transport: RequestTransport) {
    this.#transport = transport;
  }

  /** The leader's side: answers forwarded calls with `handle` (the handler of the gRPC methods). */
  serve(handle: CallHandler): void {
    serveLeaderChannel(this.#transport, handle, () => this.counts.answered++);
  }

  /**
   * The follower's side (see callOverChannel). A call the channel could not deliver (no
   * connection, or a leader that takes no requests: an older version) goes over gRPC instead.
   */
  call(leaderId: string, name: string, req: CallRequest, timeoutMs: number, viaGrpc: () => Promise<CallReply__Output>): Promise<CallReply__Output> {
    this.counts.sent++;
    return callOverChannel(this.#transport, leaderId, name, req, timeoutMs, () => {
      this.counts.sent--;
      this.counts.overGrpc++;
      return viaGrpc();
    });
  }
}

/** The leader's side: answers forwarded calls with `handle` (the handler of the gRPC methods). */
function serveLeaderChannel(transport: RequestTransport, handle: CallHandler, onCall: () => void): void {
  transport.serveRequests(async (payload, signal) => {
    try {
      onCall();
      const { name, body } = decodeCall(payload);
      const m = wireMethod(name);
      if (!m) throw new RpcStatusError(`unknown RPC method ${name}`, grpc.status.UNIMPLEMENTED, 400);
      const reply = await handle(name, m.def.requestDeserialize(body), signal);
      const encoded = m.def.responseSerialize(reply);
      const out = Buffer.allocUnsafe(1 + encoded.length);
      out[0] = ANSWERED;
      encoded.copy(out, 1);
      return out;
    } catch (err) {
      return encodeFailure(err);
    }
  });
}

/**
 * The follower's side: sends call `name` to the leader `leaderId` and returns its reply, or throws
 * what the gRPC call would have thrown (RpcStatusError for a failure the method chose, RpcError
 * for a transport failure). A call that never reached the leader is made with `undelivered`.
 */
async function callOverChannel(
  transport: RequestTransport,
  leaderId: string,
  name: string,
  req: CallRequest,
  timeoutMs: number,
  undelivered: () => Promise<CallReply__Output>,
): Promise<CallReply__Output> {
  const m = wireMethod(name);
  if (!m) throw new Error(`unknown RPC method ${name}`);
  let answer: Uint8Array;
  try {
    answer = await transport.request(leaderId, encodeCall(name, m.serialize(req)), timeoutMs);
  } catch (err) {
    if (!(err instanceof RequestError)) throw err;
    // Not handed to the leader's handler yet: as the gRPC call before the leader's API is up.
    if (err.delivered && !err.served) throw new RpcStatusError(NOT_READY, grpc.status.UNAVAILABLE);
    if (!err.delivered) return undelivered();
    // Sent, outcome unknown: in grpc-js's words for the same two cases.
    if (/^no reply within/.test(err.message)) throw new RpcError('Deadline exceeded', grpc.status.DEADLINE_EXCEEDED);
    throw new RpcError('Connection dropped', grpc.status.UNAVAILABLE);
  }
  const b = Buffer.from(answer.buffer, answer.byteOffset, answer.byteLength);
  if (b[0] === ANSWERED) return m.deserialize(b.subarray(1));
  if (b[0] !== FAILED || b.length < 5) throw new RpcError('malformed reply from the leader', grpc.status.INTERNAL);
  throw new RpcStatusError(b.toString('utf8', 5), b.readUInt16BE(1), b.readUInt16BE(3));
}
