import type { TxnOp, TxnResult } from '@concord/state';
import { isTxnWrite } from '@concord/state';
import { txnBodyLimit } from '../body-limits.js';
import type { AgentContext } from '../../agent-context.js';
import { json, read, write } from '../endpoint-kit.js';
import { badRequest } from '../http-error.js';
import { type RequestContext, readBody } from '../request.js';
import type { Route } from '../router.js';
import { decodeTxnOps } from '../txn-decode.js';

/**
 * `PUT /v1/txn`: KV, Node, Service, Check and Session operations in one Raft entry. A txn with
 * no write op is served as a read (`?stale`/`?consistent`, no blocking); 409 with `Errors`
 * (each failing op's `OpIndex` and Consul's text) means nothing was applied.
 */
async function txn(ctx: RequestContext, agent: AgentContext): Promise<void> {
  const limit = txnBodyLimit(agent.config);
  const body = await readBody(ctx.req, limit.max, limit.tooLarge);
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw badRequest(`Failed to parse body: ${(err as Error).message}`);
  }
  const ops = decodeTxnOps(raw, { maxValue: agent.config.kvMaxValueSize, datacenter: agent.config.datacenter });
  let result: TxnResult;
  if (!ops.some(isTxnWrite)) {
    result = await read(ctx, agent, 'Txn.Read', { ops: ops as TxnOp[] });
  } else {
    result = (await write(ctx, agent, 'Txn.Apply', { command: { type: 'txn', ops } })) as TxnResult;
  }
  json(ctx, result, result.Errors ? 409 : 200);
}

export function txnRoutes(agent: AgentContext): Route[] {
  return [{ path: '/v1/txn', methods: ['PUT'], handler: (ctx) => txn(ctx, agent) }];
}
