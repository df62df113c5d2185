/**
 * The typed methods on the wire: each is a gRPC method `/concord.agent.v1.<Service>/<Method>`
 * taking a `CallRequest` and answering a `CallReply`. A method's failure carries the HTTP status
 * it maps to (trailer `concord-http-status`), so the agent that took the HTTP request answers it
 * exactly as if the method had run there.
 */
import * as grpc from '@grpc/grpc-js';
import type { CallReply__Output } from '../gen/concord/agent/v1/CallReply.js';
import type { CallRequest, CallRequest__Output } from '../gen/concord/agent/v1/CallRequest.js';
import { invalidRequest } from '../errors/agent-error.js';
import { HttpError, toHttpError } from '../errors/http-status.js';
import { ArgsError } from './args.js';
import { METHODS, type MethodName, isMethodName } from './methods/index.js';

export type { CallReply__Output, CallRequest, CallRequest__Output };

/** The trailer that carries a failed method's HTTP status. */
export const STATUS_KEY = 'concord-http-status';

/** The services of proto/agent.proto that hold typed methods (every one but `Agent`). */
export const METHOD_SERVICES = ['KVS', 'Txn', 'Session', 'Catalog', 'Health', 'Coordinate', 'Status', 'Operator', 'Snapshot', 'PreparedQuery', 'Internal', 'ACL'] as const;

/** The loaded package: each service's client constructor carries its definition. */
type ServiceDefs = Record<string, { service: grpc.ServiceDefinition } | undefined>;

interface WireMethod {
  path: string;
  serialize: (value: CallRequest) => Buffer;
  deserialize: (bytes: Buffer) => CallReply__Output;
}

/** `Service.Method` → its gRPC definition, for every method in the proto. */
export function wireMethods(services: ServiceDefs): Map<string, WireMethod & { def: grpc.MethodDefinition<CallRequest__Output, CallReply__Output> }> {
  const out = new Map<string, WireMethod & { def: grpc.MethodDefinition<CallRequest__Output, CallReply__Output> }>();
  for (const svc of METHOD_SERVICES) {
    const def = services[svc]?.service;
    if (!def) throw new Error(`proto has no service ${svc}`);
    for (const [method, m] of Object.entries(def)) {
      const md = m as grpc.MethodDefinition<CallRequest__Output, CallReply__Output>;
      out.set(`${svc}.${method}`, {
        path: md.path,
        serialize: md.requestSerialize as unknown as (value: CallRequest) => Buffer,
        deserialize: md.responseDeserialize,
        def: md,
      });
    }
  }
  return out;
}

/** Throws unless the proto's methods and the implemented ones are the same set. */
export function checkMethodSet(wire: ReadonlyMap<string, unknown>): void {
  const implemented = Object.keys(METHODS);
  const missing = implemented.filter((m) => !wire.has(m));
  const extra = [...wire.keys()].filter((m) => !isMethodName(m));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(`RPC methods differ from proto/agent.proto: not in the proto ${missing.join(', ') || '-'}; in the proto without code ${extra.join(', ') || '-'}`);
  }
}

/** A failure as a gRPC status with its HTTP status in the trailers. */
export function toServiceError(err: unknown): Partial<grpc.ServiceError> {
  const e = toHttpError(err instanceof ArgsError ? invalidRequest(err.message) : err);
  const metadata = new grpc.Metadata();
  metadata.set(STATUS_KEY, String(e.status));
  const code = err instanceof RpcStatusError ? err.grpcCode : grpcCodeOf(e.status);
  return { code, details: e.message, message: e.message, metadata };
}

function grpcCodeOf(status: number): grpc.status {
  if (status === 400) return grpc.status.INVALID_ARGUMENT;
  if (status === 403) return grpc.status.PERMISSION_DENIED;
  if (status === 404) return grpc.status.NOT_FOUND;
  if (status === 429) return grpc.status.RESOURCE_EXHAUSTED;
  return grpc.status.UNKNOWN;
}

/** A failure with a chosen gRPC status (UNAVAILABLE: nothing was done, the caller may go elsewhere). */
export class RpcStatusError extends HttpError {
  constructor(
    message: string,
    readonly grpcCode: grpc.status,
    status = 500,
  ) {
    super(status, message);
  }
}

/** The HTTP status a failed call carried, if it reached a method. */
export function httpStatusOf(err: grpc.ServiceError): number | undefined {
  const v = err.metadata?.get(STATUS_KEY)[0];
  const n = Number(v);
  return v !== undefined && Number.isInteger(n) ? n : undefined;
}

export type CallHandler = (name: MethodName, request: CallRequest__Output, signal: AbortSignal) => Promise<CallReply__Output>;

/** Registers every typed method on `server`, each handed to `handle` with its name. */
export function addMethodServices(server: grpc.Server, services: ServiceDefs, handle: CallHandler): void {
  const wire = wireMethods(services);
  checkMethodSet(wire);
  for (const svc of METHOD_SERVICES) {
    const impl: grpc.UntypedServiceImplementation = {};
    const def = services[svc]?.service as grpc.ServiceDefinition;
    for (const method of Object.keys(def)) {
      const name = `${svc}.${method}` as MethodName;
      const unary: grpc.handleUnaryCall<CallRequest__Output, CallReply__Output> = (call, callback) => {
        const ac = new AbortController();
        call.on('cancelled', () => ac.abort());
        handle(name, call.request, ac.signal).then(
          (reply) => callback(null, reply),
          (err: unknown) => callback(toServiceError(err)),
        );
      };
      impl[method] = unary;
    }
    server.addService(def, impl);
  }
}
