/** Typed errors of the state machine; `code` is stable and mapped to HTTP statuses by the agent. */
export type StateErrorCode =
  | 'STATE_INVALID_SESSION'
  | 'STATE_INVALID_REQUEST'
  | 'STATE_MISSING_NODE'
  | 'STATE_UNKNOWN_SERVICE'
  | 'STATE_UNKNOWN_CHECK'
  | 'STATE_CHECK_CRITICAL'
  | 'STATE_UNKNOWN_QUERY'
  | 'STATE_UNKNOWN_COMMAND'
  /** `acl-bootstrap` after the ACL system was bootstrapped (and no matching reset index). */
  | 'STATE_ACL_BOOTSTRAP_DONE';

export class StateError extends Error {
  readonly code: StateErrorCode;
  constructor(code: StateErrorCode, message: string) {
    super(message);
    this.name = 'StateError';
    this.code = code;
  }
}
