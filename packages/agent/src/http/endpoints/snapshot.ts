import { tmpdir } from 'node:os';
import type { AgentContext } from '../../agent-context.js';
import { call, write } from '../endpoint-kit.js';
import type { SavedSnapshot } from '../../rpc/methods/snapshot.js';
import { parseSnapshotDocument } from '../../rpc/methods/snapshot-file.js';
import { HttpError } from '../http-error.js';
import { receiveSnapshot } from '../snapshot-upload.js';
import { sendEmpty } from '../respond.js';
import type { Route } from '../router.js';

/** `/v1/snapshot`: GET saves the whole state (`concord snapshot save`), PUT restores it. */
export function snapshotRoutes(agent: AgentContext): Route[] {
  return [
    {
      path: '/v1/snapshot',
      methods: ['GET', 'PUT'],
      handler: async (ctx) => {
        if (ctx.req.method === 'GET') {
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
