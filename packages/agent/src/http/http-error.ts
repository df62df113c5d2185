import { StateError } from '@concord/state';

/** An error with the HTTP status and plain-text body Consul would answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (msg: string) => new HttpError(400, msg);

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
  if (err instanceof StateError) return fromStateError(err);
  return new HttpError(500, err instanceof Error ? err.message : String(err));
}
