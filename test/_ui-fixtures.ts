/** Registers, through the agent's HTTP API, the data the UI tests look for. */

export async function api(base: string, method: string, path: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method, signal: AbortSignal.timeout(30_000) };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(base + path, init);
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

export async function apiJson<T>(base: string, path: string): Promise<T> {
  return (await (await api(base, 'GET', path)).json()) as T;
}

/** A KV value as text, or undefined when the key does not exist. */
export async function kvText(base: string, key: string): Promise<string | undefined> {
  const res = await fetch(`${base}/v1/kv/${key}?raw`, { signal: AbortSignal.timeout(30_000) });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`GET kv ${key}: ${res.status}`);
  return res.text();
}

export interface Fixture {
  sessionId: string;
}

/**
 * Two instances of `web` on the agent (one passing, one critical check), `postgres` on an external
 * node `db-node` (warning), keys under `app/`, and a session holding the lock on `app/locked`.
 */
export async function registerFixture(base: string, agentNode: string): Promise<Fixture> {
  await api(base, 'PUT', '/v1/agent/service/register', {
    ID: 'web-1',
    Name: 'web',
    Tags: ['v1', 'http'],
    Port: 8080,
    Meta: { version: '1.4.2' },
    Check: { CheckID: 'web-1-ttl', Name: 'web-1 alive', TTL: '10m' },
  });
  await api(base, 'PUT', '/v1/agent/service/register', {
    ID: 'web-2',
    Name: 'web',
    Tags: ['v2'],
    Address: '10.0.0.2',
    Port: 8081,
    Check: { CheckID: 'web-2-ttl', Name: 'web-2 alive', TTL: '10m' },
  });
  await api(base, 'PUT', '/v1/agent/check/pass/web-1-ttl?note=all%20good');
  await api(base, 'PUT', '/v1/agent/check/fail/web-2-ttl?note=connection%20refused');
  await api(base, 'PUT', '/v1/catalog/register', {
    Node: 'db-node',
    Address: '10.1.1.1',
    Service: { ID: 'pg', Service: 'postgres', Tags: ['primary'], Port: 5432 },
    Check: { CheckID: 'pg-alive', Name: 'postgres replication', Status: 'warning', Output: 'replication lag 12s', ServiceID: 'pg' },
  });
  const coord = (x: number) => ({ Vec: [x, 0, 0, 0, 0, 0, 0, 0], Error: 0.2, Adjustment: 0, Height: 0.0001 });
  await api(base, 'PUT', '/v1/coordinate/update', { Node: 'db-node', Coord: coord(0.0042) });
  await api(base, 'PUT', '/v1/coordinate/update', { Node: agentNode, Coord: coord(0) });
  await api(base, 'PUT', '/v1/kv/app/config', '{"port":8080,"features":["a","b"]}');
  await api(base, 'PUT', '/v1/kv/app/name?flags=42', 'concord');
  await api(base, 'PUT', '/v1/kv/readme', 'hello');
  const session = (await (await api(base, 'PUT', '/v1/session/create', { Name: 'ui-lock', Node: agentNode })).json()) as { ID: string };
  await api(base, 'PUT', `/v1/kv/app/locked?acquire=${session.ID}`, 'held');
  return { sessionId: session.ID };
}
