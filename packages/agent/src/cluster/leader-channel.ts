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
 *
 * A KV write (`KVS.ApplyRecord`, the follower's KV write path) skips the typed call's protobuf and
 * JSON: its body is `u8` hops, `u16` token length, the token (UTF-8), then the command's binary
 * record (state's command-codec), encoded once by the follower; the leader decodes it and runs it
 * as `KVS.Apply` with that token (ACLs and all). Its answer is `u8` 0, `f64` index and the result
 * as JSON; a failure is encoded as above. A leader that does not know the method (an older
 * version) fails it with UNIMPLEMENTED before running anything, and the write goes as a typed call.
 */
import * as grpc from '@grpc/grpc-js';
import { type Command, decodeCommand, encodesExactly } from '@concord/state';
import { RequestError, type RequestHandler } from 'raft-ts/tcp';
import { isMethodName, type MethodName } from '../rpc/methods/index.js';
import { type CallHandler, type CallReply__Output, type CallRequest, RpcStatusError, STATUS_KEY, toServiceError } from '../rpc/transport.js';
import { NOT_READY, RpcError, wireMethod } from './rpc.js';

/** The methods carried on the Raft connection: single writes through the leader, never blocking. */
export const CHANNEL_METHODS: ReadonlySet<string> = new Set(['KVS.Apply', 'Txn.Apply', 'Session.Apply']);

/** The KV write as a binary record (see above); run on the leader as `KVS.Apply`. */
export const KV_RECORD_METHOD = 'KVS.ApplyRecord';

/** A forwarded KV write as the leader receives it. */
export interface KvRecordCall {
  command: Command;
  /** The caller's token, checked by the leader. */
  token: string;
  /** Servers the write passed through, this one's hop included. */
  hops: number;
}

/** Runs a forwarded KV write on the leader: the `KVS.Apply` method's result and the index it applied at. */
export type KvRecordHandler = (call: KvRecordCall, signal: AbortSignal) => Promise<{ value: unknown; index: number }>;

/** The largest token a KV record call carries (its length is a `u16`). */
const MAX_TOKEN_BYTES = 0xffff;

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

function decodeCall(payload: Uint8Array, kvRecords: boolean): { name: MethodName | typeof KV_RECORD_METHOD; body: Buffer } {
  const b = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (b.length < 1 || b.length < 1 + (b[0] as number)) throw new RpcStatusError('malformed forwarded call', grpc.status.INVALID_ARGUMENT, 400);
  const name = b.toString('latin1', 1, 1 + (b[0] as number));
  if (kvRecords && name === KV_RECORD_METHOD) return { name, body: b.subarray(1 + (b[0] as number)) };
  if (!isMethodName(name) || !CHANNEL_METHODS.has(name)) throw new RpcStatusError(`method ${name} is not taken on the Raft connection`, grpc.status.UNIMPLEMENTED, 400);
  return { name, body: b.subarray(1 + (b[0] as number)) };
}

/** The request payload of a KV record call; undefined when the token does not fit (the typed call takes it). */
function encodeKvRecordCall(record: Uint8Array, token: string, hops: number): Buffer | undefined {
  const tokenBytes = Buffer.byteLength(token);
  if (tokenBytes > MAX_TOKEN_BYTES || hops > 0xff) return undefined;
  const name = KV_RECORD_METHOD;
  const out = Buffer.allocUnsafe(1 + name.length + 3 + tokenBytes + record.byteLength);
  out[0] = name.length;
  let at = 1 + out.write(name, 1, 'latin1');
  out[at] = hops;
  out.writeUInt16BE(tokenBytes, at + 1);
  at += 3;
  if (tokenBytes > 0) at += out.write(token, at, tokenBytes, 'utf8');
  out.set(record, at);
  return out;
}

function decodeKvRecordCall(body: Buffer): KvRecordCall {
  const malformed = () => new RpcStatusError('malformed forwarded KV write', grpc.status.INVALID_ARGUMENT, 400);
  if (body.length < 3) throw malformed();
  const tokenEnd = 3 + body.readUInt16BE(1);
  if (tokenEnd > body.length) throw malformed();
  const record = body.subarray(tokenEnd);
  // Only the binary record of a `kv` command: anything else is a typed call's business.
  if (!encodesExactly(record)) throw malformed();
  let command: Command;
  try {
    command = decodeCommand(record);
  } catch (err) {
    throw new RpcStatusError((err as Error).message, grpc.status.INVALID_ARGUMENT, 400);
  }
  return { command, token: body.toString('utf8', 3, tokenEnd), hops: body[0] as number };
}

function encodeKvRecordAnswer(value: unknown, index: number): Buffer {
  const json = JSON.stringify(value ?? null);
  const out = Buffer.allocUnsafe(9 + Buffer.byteLength(json));
  out[0] = ANSWERED;
  out.writeDoubleLE(index, 1);
  out.write(json, 9, 'utf8');
  return out;
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
  readonly counts = { sent: 0, answered: 0, overGrpc: 0, kvRecords: 0 };

  constructor(transport: RequestTransport) {
    this.#transport = transport;
  }

  /**
   * The leader's side: answers forwarded calls with `handle` (the handler of the gRPC methods)
   * and forwarded KV writes with `applyKv`.
   */
  serve(handle: CallHandler, applyKv?: KvRecordHandler): void {
    serveLeaderChannel(this.#transport, handle, applyKv, () => this.counts.answered++);
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

  /**
   * The follower's side of a KV write: `record` (a `kv` command's binary record) to the leader
   * `leaderId` with the caller's token. Resolves the method's result and index; fails as the
   * typed call would. A write the leader never ran (not delivered, a leader without the method,
   * a token too long for the record call) is made with `asCall` instead.
   */
  async applyKv(
    leaderId: string,
    record: Uint8Array,
    token: string,
    hops: number,
    timeoutMs: number,
    asCall: () => Promise<{ value: unknown; index: number }>,
  ): Promise<{ value: unknown; index: number }> {
    const payload = encodeKvRecordCall(record, token, hops);
    if (!payload) return asCall();
    this.counts.sent++;
    this.counts.kvRecords++;
    const notSent = () => {
      this.counts.sent--;
      this.counts.kvRecords--;
      return asCall();
    };
    let b: Buffer;
    try {
      const answer = await sendOnChannel(this.#transport, leaderId, payload, timeoutMs);
      if (answer === undefined) return await notSent();
      b = answer;
    } catch (err) {
      // An older leader, which refused the method before running anything.
      if (err instanceof RpcStatusError && err.grpcCode === grpc.status.UNIMPLEMENTED) return notSent();
      throw err;
    }
    if (b.length < 9) throw new RpcError('malformed reply from the leader', grpc.status.INTERNAL);
    return { index: b.readDoubleLE(1), value: JSON.parse(b.toString('utf8', 9)) as unknown };
  }
}

/** The leader's side: answers forwarded calls with `handle` (the handler of the gRPC methods) and KV records with `applyKv`. */
function serveLeaderChannel(transport: RequestTransport, handle: CallHandler, applyKv: KvRecordHandler | undefined, onCall: () => void): void {
  transport.serveRequests(async (payload, signal) => {
    try {
      onCall();
      const { name, body } = decodeCall(payload, applyKv !== undefined);
      if (name === KV_RECORD_METHOD) {
        const out = await (applyKv as KvRecordHandler)(decodeKvRecordCall(body), signal);
        return encodeKvRecordAnswer(out.value, out.index);
      }
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
 * Sends `payload` to the leader `leaderId` and returns its answer (after the ANSWERED byte's
 * check), undefined when it never reached the leader, or throws what the gRPC call would have
 * thrown (RpcStatusError for a failure the method chose, RpcError for a transport failure).
 */
async function sendOnChannel(transport: RequestTransport, leaderId: string, payload: Uint8Array, timeoutMs: number): Promise<Buffer | undefined> {
  let answer: Uint8Array;
  try {
    answer = await transport.request(leaderId, payload, timeoutMs);
  } catch (err) {
    if (!(err instanceof RequestError)) throw err;
    // Not handed to the leader's handler yet: as the gRPC call before the leader's API is up.
    if (err.delivered && !err.served) throw new RpcStatusError(NOT_READY, grpc.status.UNAVAILABLE);
    if (!err.delivered) return undefined;
    // Sent, outcome unknown: in grpc-js's words for the same two cases.
    if (/^no reply within/.test(err.message)) throw new RpcError('Deadline exceeded', grpc.status.DEADLINE_EXCEEDED);
    throw new RpcError('Connection dropped', grpc.status.UNAVAILABLE);
  }
  const b = Buffer.from(answer.buffer, answer.byteOffset, answer.byteLength);
  if (b[0] === ANSWERED) return b;
  if (b[0] !== FAILED || b.length < 5) throw new RpcError('malformed reply from the leader', grpc.status.INTERNAL);
  throw new RpcStatusError(b.toString('utf8', 5), b.readUInt16BE(1), b.readUInt16BE(3));
}

/**
 * The follower's side: sends call `name` to the leader `leaderId` and returns its reply, or throws
 * what the gRPC call would have thrown. A call that never reached the leader is made with `undelivered`.
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
  const b = await sendOnChannel(transport, leaderId, encodeCall(name, m.serialize(req)), timeoutMs);
  if (b === undefined) return undelivered();
  return m.deserialize(b.subarray(1));
}
