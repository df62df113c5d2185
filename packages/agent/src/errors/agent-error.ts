/**
 * The agent's own failures, thrown by the folders below the edge (cluster/, local/, checks/, rpc/,
 * ...) with a stable code. The HTTP API and the typed RPC map each code to Consul's status once
 * (./http-status.ts); DNS answers NXDOMAIN for NO_PATH_TO_DATACENTER.
 */

/** The stable codes; the comment gives the HTTP status Consul answers with. */
export type AgentErrorCode =
  /** 400: the request itself is malformed or names something impossible. */
  | 'INVALID_REQUEST'
  /** 403: the request's token does not allow it, or names no known token. */
  | 'PERMISSION_DENIED'
  /** 404: the request names something that does not exist. */
  | 'NOT_FOUND'
  /** 500 "No cluster leader": no leader is known to send the call to. */
  | 'NO_LEADER'
  /** 500 "No known Consul servers": a client agent knows no server to ask. */
  | 'NO_SERVERS'
  /** 500 "No path to datacenter": no server of the named datacenter can be reached. */
  | 'NO_PATH_TO_DATACENTER'
  /** 500: an operation only servers serve (raft peers, keyring, autopilot) asked of a client. */
  | 'SERVER_ONLY'
  /** 500: a cluster operation (raft membership, leadership transfer, keyring, forwarding) failed. */
  | 'OPERATION_FAILED';

/** Consul's exact texts for the failures clients match on. */
export const NO_LEADER = 'No cluster leader';
export const NO_SERVERS = 'No known Consul servers';
export const NO_PATH_TO_DATACENTER = 'No path to datacenter';

export class AgentError extends Error {
  readonly code: AgentErrorCode;
  constructor(code: AgentErrorCode, message: string) {
    super(message);
    this.name = 'AgentError';
    this.code = code;
  }
}

export const invalidRequest = (message: string) => new AgentError('INVALID_REQUEST', message);
export const notFound = (message: string) => new AgentError('NOT_FOUND', message);
export const permissionDenied = (message: string) => new AgentError('PERMISSION_DENIED', message);
export const noLeader = () => new AgentError('NO_LEADER', NO_LEADER);
export const noServers = () => new AgentError('NO_SERVERS', NO_SERVERS);
export const noPathToDatacenter = () => new AgentError('NO_PATH_TO_DATACENTER', NO_PATH_TO_DATACENTER);
export const serverOnly = (message: string) => new AgentError('SERVER_ONLY', message);
export const operationFailed = (message: string) => new AgentError('OPERATION_FAILED', message);
