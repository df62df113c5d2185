/**
 * `PUT /v1/agent/token/<kind>`: sets one of the agent's own tokens at run time (Consul's kinds and
 * their legacy names), and with `acl.enable_token_persistence` keeps them in
 * `<data-dir>/acl-tokens.json` (mode 0600), read back at start over the configured ones.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentContext } from '../../agent-context.js';
import { type Body, optString, rejectUnknown } from '../../decode/body.js';
import { HttpError } from '../http-error.js';
import { readJsonObject } from '../request.js';
import type { Route } from '../router.js';
import type { AclResolver } from '../../acl/resolver.js';

export const ACL_TOKENS_FILE = 'acl-tokens.json';

type Kind = keyof AclResolver['tokens'];

const KINDS: Record<string, Kind> = {
  default: 'default',
  acl_token: 'default',
  agent: 'agent',
  acl_agent_token: 'agent',
  agent_recovery: 'agentRecovery',
  agent_master: 'agentRecovery',
  acl_agent_master_token: 'agentRecovery',
  replication: 'replication',
  acl_replication_token: 'replication',
  dns: 'dns',
};

/** Names of the persisted file's fields, as Consul writes them. */
const PERSISTED: Record<Kind, string> = { default: 'default', agent: 'agent', agentRecovery: 'agent_recovery', replication: 'replication', dns: 'dns' };

function persistedPath(dataDir: string): string {
  return join(dataDir, ACL_TOKENS_FILE);
}

/** Applies tokens persisted by an earlier run (when persistence is on). */
export function loadPersistedTokens(resolver: AclResolver, dataDir: string | undefined): void {
  if (!dataDir || !existsSync(persistedPath(dataDir))) return;
  let saved: Body;
  try {
    saved = JSON.parse(readFileSync(persistedPath(dataDir), 'utf8').slice(0, 64 * 1024)) as Body;
  } catch {
    return;
  }
  for (const [kind, name] of Object.entries(PERSISTED) as [Kind, string][]) {
    const v = saved[name];
    if (typeof v === 'string' && v !== '') resolver.tokens[kind] = v;
  }
}

function persist(resolver: AclResolver, dataDir: string): void {
  const out: Record<string, string> = {};
  for (const [kind, name] of Object.entries(PERSISTED) as [Kind, string][]) {
    const v = resolver.tokens[kind];
    if (v) out[name] = v;
  }
  writeFileSync(persistedPath(dataDir), JSON.stringify(out), { mode: 0o600 });
}

export function agentTokenRoutes(agent: AgentContext): Route[] {
  return [
    {
      path: '/v1/agent/token/:kind',
      methods: ['PUT'],
      handler: async (ctx) => {
        const resolver = agent.acl;
        if (!resolver.enabled) throw new HttpError(401, 'ACL support disabled');
        const kind = KINDS[ctx.params.kind ?? ''];
        if (!kind) throw new HttpError(404, `Token "${ctx.params.kind ?? ''}" is unknown`);
        const body = await readJsonObject(ctx);
        rejectUnknown(body, ['Token'], 'token');
        const token = optString(body, 'Token') ?? '';
        if (token.length > 512) throw new HttpError(400, 'Token is too long');
        if (token === '') delete resolver.tokens[kind];
        else resolver.tokens[kind] = token;
        const { dataDir, dev, acl } = agent.config;
        if (acl.enableTokenPersistence && dataDir && !dev) persist(resolver, dataDir);
        agent.logger.info({ kind: ctx.params.kind }, 'agent: updated ACL token');
        ctx.res.statusCode = 200;
        ctx.res.end();
      },
    },
  ];
}
