import type { Command } from '@concord/state';
import type { AgentContext } from '../agent-context.js';
import { type Body, optString, rejectUnknown } from '../decode/body.js';
import { callOptionsOf } from './endpoint-kit.js';
import { badRequest } from './http-error.js';
import { type RequestContext, readJsonObject } from './request.js';

type NodeWriteMethod = 'Catalog.Register' | 'Catalog.Deregister' | 'Coordinate.Update';

/**
 * The body of a write about one node (catalog register and deregister, coordinate update): a
 * JSON object with only `fields`, and a `Node`. Consul routes these writes by the body's
 * `Datacenter` (the request's `?dc=`, else this agent's, when empty): `send` applies the command
 * in that datacenter, never in this one when the body names another.
 */
export async function nodeWriteBody(
  ctx: RequestContext,
  agent: AgentContext,
  fields: readonly string[],
  what: string,
): Promise<{ raw: Body; node: string; send: (method: NodeWriteMethod, command: Command) => Promise<unknown> }> {
  const options = callOptionsOf(ctx, agent);
  const raw = await readJsonObject(ctx);
  rejectUnknown(raw, fields, what);
  const dc = (optString(raw, 'Datacenter') ?? '').toLowerCase() || options.datacenter;
  const node = optString(raw, 'Node');
  if (!node) throw badRequest('Must provide node');
  const send = async (method: NodeWriteMethod, command: Command) =>
    (await agent.rpc.call(method, { command }, { ...options, datacenter: dc, consistency: 'leader', minQueryIndex: 0 })).value;
  return { raw, node, send };
}
