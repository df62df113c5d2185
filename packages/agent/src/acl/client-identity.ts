/** Client agents resolve tokens through a server: `GET /v1/internal/acl/resolve` with the token. */
import type { IdentitySource, ResolvedIdentity } from './resolver.js';

export interface ServerGet {
  (path: string, timeoutMs: number, headers: Record<string, string>): Promise<{ status: number; body: Buffer }>;
}

export class ServerIdentitySource implements IdentitySource {
  constructor(readonly get: ServerGet) {}

  async lookup(secret: string): Promise<ResolvedIdentity | null> {
    const r = await this.get('/v1/internal/acl/resolve', 10_000, { 'x-consul-token': secret });
    if (r.status === 403) return null;
    if (r.status !== 200) throw new Error(`token resolution failed: ${r.status} ${r.body.toString('utf8').slice(0, 200)}`);
    return JSON.parse(r.body.toString('utf8')) as ResolvedIdentity;
  }
}
