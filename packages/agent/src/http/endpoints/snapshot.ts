import { tmpdir } from 'node:os';
import type { AgentContext } from '../../agent-context.js';
import { consistencyOf, setQueryHeaders } from '../blocking.js';
import { call, write } from '../endpoint-kit.js';
import { captureSnapshotFile } from '../snapshot-stream.js';
import type { SavedSnapshot } from '../../rpc/methods/snapshot.js';
import { parseSnapshotDocument } from '../../rpc/methods/snapshot-file.js';
import { HttpError } from '../http-error.js';
import { receiveSnapshot } from '../snapshot-upload.js';
import { sendEmpty } from '../respond.js';
import type { RequestContext } from '../request.js';
import type { Route } from '../router.js';

/**
 * Answers a snapshot save from this server's own state, streamed, when this server may answer it
 * (the leader, or any server for `?stale`, in its own datacenter); false when the call must go to
 * another server (which answers it whole over RPC).
 */
async function streamedHere(ctx: RequestContext, agent: AgentContext): Promise<boolean> {
  const dc = ctx.query.get('dc')?.toLowerCase() || agent.config.datacenter;
  const consistency = consistencyOf(ctx.query);
  const server = agent.server;
  if (!server || dc !== agent.config.datacenter || (consistency !== 'stale' && !server.isLeader())) return false;
  // The same barrier Snapshot.Save passes on the leader: what it saves includes every acknowledged write.
  if (consistency !== 'stale') await agent.cluster.consistentBarrier();
  const snapshot = captureSnapshotFile(server.state);
  const lastContactMs = consistency === 'stale' ? agent.cluster.lastContactMs() : 0;
  setQueryHeaders(ctx, { index: snapshot.index, knownLeader: agent.cluster.knownLeader(), lastContactMs, consistency });
  ctx.res.statusCode = 200;
  ctx.res.setHeader('Content-Type', 'application/octet-stream');
  try {
    await snapshot.writeTo(ctx.res);
  } catch {
    // the client went away (or the stream failed midway): the response is cut short, never completed
    ctx.res.destroy();
  }
  return true;
}

/** `/v1/snapshot`: GET saves the whole state (`concord snapshot save`), PUT restores it. */
export function snapshotRoutes(agent: AgentContext): Route[] {
  return [
    {
      path: '/v1/snapshot',
      methods: ['GET', 'PUT'],
      handler: async (ctx) => {
        if (ctx.req.method === 'GET') {
          if (await streamedHere(ctx, agent)) return;
          const saved: SavedSnapshot = (await call(ctx, agent, 'Snapshot.Save', {})).value;
          const body = Buffer.from(saved.file, 'base64');
          ctx.res.statusCode = 200;
          ctx.res.setHeader('Content-Type', 'application/octet-stream');
          ctx.res.setHeader('X-Consul-Index', String(Math.max(1, saved.index)));
          ctx.res.setHeader('Content-Length', body.length);
          ctx.res.end(body);
          return;
        }
        const dc = ctx.query.get('dc')?.toLowerCase() || agent.config.datacenter;
        const file = parseSnapshotDocument(await receiveSnapshot(ctx.req, agent.config.dataDir ?? tmpdir(), agent.config.bounds.snapshotRestoreMaxBytes));
        if (file.datacenter !== dc) throw new HttpError(400, `Snapshot is of datacenter ${file.datacenter}, not of ${dc}`);
        await write(ctx, agent, 'Snapshot.Restore', { command: { type: 'restore', snapshot: file.state } });
        sendEmpty(ctx.res);
      },
    },
  ];
}
