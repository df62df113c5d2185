/**
 * The one mapping from failures to Consul's HTTP status and plain-text body, used by the HTTP API
 * (http/) and by the typed RPC, which carries the status to the agent that asked.
 */
import { StateError } from '@concord/state';
import { AgentError, type AgentErrorCode, NO_PATH_TO_DATACENTER } from './agent-error.js';

/** An error with the HTTP status and plain-text body Consul would answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const AGENT_STATUS: Record<AgentErrorCode, number> = {
  INVALID_REQUEST: 400,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  NO_LEADER: 500,
  NO_SERVERS: 500,
  NO_PATH_TO_DATACENTER: 500,
  SERVER_ONLY: 500,
  OPERATION_FAILED: 500,
};

/** Maps a StateError to Consul's status code. */
export function fromStateError(err: StateError): HttpError {
  switch (err.code) {
    case 'STATE_INVALID_REQUEST':
      return new HttpError(400, err.message);
    case 'STATE_UNKNOWN_QUERY':
      return new HttpError(404, err.message);
    case 'STATE_ACL_BOOTSTRAP_DONE':
      return new HttpError(403, `Permission denied: ${err.message}`);
    case 'STATE_UNKNOWN_SERVICE':
    case 'STATE_UNKNOWN_CHECK':
    case 'STATE_INVALID_SESSION':
    case 'STATE_MISSING_NODE':
    case 'STATE_CHECK_CRITICAL':
    case 'STATE_UNKNOWN_COMMAND':
      return new HttpError(500, err.message);
  }
}

export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof AgentError) return new HttpError(AGENT_STATUS[err.code], err.message);
  if (err instanceof StateError) return fromStateError(err);
  return new HttpError(500, err instanceof Error ? err.message : String(err));
}

/**
 * True for "No path to datacenter", raised here or answered by a server over the typed RPC (which
 * carries the status and text).
 */
export function isNoPathToDatacenter(err: unknown): boolean {
  if (err instanceof AgentError) return err.code === 'NO_PATH_TO_DATACENTER';
  return err instanceof HttpError && err.status === 500 && err.message === NO_PATH_TO_DATACENTER;
}
