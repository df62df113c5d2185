/**
 * Test helpers for HTTP tests: a real `concord agent` child process on ephemeral ports, in memory
 * (`-dev`) or durable (`-server -bootstrap-expect=1 -data-dir <dir>`), from @concord/testkit, and
 * a raw HTTP request against it.
 */
export {
  type AgentOptions,
  type AgentProcess,
  BIN,
  ROOT,
  type Scope,
  eventually,
  fileScope,
  sleep,
  startAgent,
  tempDir,
} from '@concord/testkit';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON (throws when it is not JSON). */
  json<T = any>(): T;
}

/** A raw HTTP request against the agent. */
export async function call(agent: { base: string }, method: string, path: string, body?: string | Buffer | object, headers: Record<string, string> = {}): Promise<Reply> {
  let payload: string | Buffer | undefined;
  if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) payload = body as string | Buffer | undefined;
  else payload = JSON.stringify(body);
  const res = await fetch(agent.base + path, {
    method,
    headers,
    ...(payload === undefined ? {} : { body: payload }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}
