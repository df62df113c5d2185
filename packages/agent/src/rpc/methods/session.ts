/** Consul's Session endpoint: create and destroy through raft, reads, and renewal on the leader. */
import type { SessionEntry } from '@concord/state';
import { notFound } from '../../errors/agent-error.js';
import { record, str } from '../args.js';
import { callMethod, queryMethod } from '../method.js';
import { applyMethod } from './apply.js';

const idArgs = (raw: unknown) => ({ id: str(record(raw), 'id') });

export const sessionMethods = {
  // The leader keeps each session's TTL timer: it starts with the session and stops with it.
  'Session.Apply': applyMethod(['session-create', 'session-destroy'], ({ agent }, command, value) => {
    if (command.type === 'session-create') agent.sessionTimers.started(value as SessionEntry);
    else if (command.type === 'session-destroy') agent.sessionTimers.stopped(command.id);
  }),
  'Session.Get': queryMethod(idArgs, ({ agent }, { id }) => agent.server.state.session(id)),
  'Session.List': queryMethod(
    (raw) => (record(raw), {}),
    ({ agent }) => agent.server.state.sessions(),
  ),
  'Session.NodeSessions': queryMethod(
    (raw) => ({ node: str(record(raw), 'node') }),
    ({ agent }, { node }) => agent.server.state.nodeSessions(node),
  ),
  'Session.Renew': callMethod('leader', idArgs, async ({ agent }, { id }) => {
    const { value, index } = agent.server.state.session(id);
    if (value.length === 0) throw notFound(`Session id '${id}' not found`);
    agent.sessionTimers.renewed(value[0] as SessionEntry);
    return { value, index };
  }),
};
