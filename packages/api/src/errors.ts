/**
 * A non-2xx answer from the agent. The message matches the Go client's
 * (`Unexpected response code: 500 (No cluster leader)`), which is what
 * Consul's CLI prints after its own prefix.
 */
export class ApiError extends Error {
  readonly code = 'API_RESPONSE';
  /** HTTP status code of the answer. */
  readonly status: number;
  /** Response body as text (Consul's error bodies are plain text). */
  readonly body: string;

  constructor(status: number, body: string) {
    super(`Unexpected response code: ${status} (${body.trimEnd()})`);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}
