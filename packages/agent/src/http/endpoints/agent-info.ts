import type { AgentContext } from '../../agent-context.js';
import { collectHostInfo } from '../../host/host-info.js';
import { json } from '../endpoint-kit.js';
import type { Route } from '../router.js';

/** What this build is, in the shape of Consul's `version.BuildInfo` (plus the parts of `Stats.build`). */
export function buildInfo(version: string) {
  return {
    SHA: '',
    BuildDate: '',
    HumanVersion: version,
    FIPS: '',
    Revision: '',
    Version: version,
    Prerelease: '',
  };
}

/** `/v1/agent/version` and `/v1/agent/host`: what runs here and on what machine. */
export function agentInfoRoutes(agent: AgentContext): Route[] {
  return [
    { path: '/v1/agent/version', methods: ['GET'], handler: (ctx) => json(ctx, buildInfo(agent.version)) },
    { path: '/v1/agent/host', methods: ['GET'], handler: (ctx) => json(ctx, collectHostInfo('/')) },
  ];
}
