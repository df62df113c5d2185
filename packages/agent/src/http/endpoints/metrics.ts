import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { AgentContext } from '../../agent-context.js';
import type { DroppedInputs } from '../../cluster/cluster.js';
import { json } from '../endpoint-kit.js';
import { sendText } from '../respond.js';
import type { Route } from '../router.js';

/** `/v1/agent/metrics`: Consul's JSON shape by default, Prometheus text with `?format=prometheus`. */
export function metricsRoutes(agent: AgentContext): Route[] {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'concord_' });
  const state = agent.server?.state;
  if (state) {
    new Gauge({
      name: 'concord_state_last_index',
      help: 'Index of the last command applied to the state machine',
      registers: [registry],
      collect() {
        this.set(state.lastIndex);
      },
    });
    new Gauge({
      name: 'concord_state_watchers',
      help: 'Blocking queries currently waiting for a change',
      registers: [registry],
      collect() {
        this.set(state.watcherCount);
      },
    });
  }
  new Gauge({
    name: 'concord_agent_services',
    help: 'Services registered with this agent',
    registers: [registry],
    collect() {
      this.set(agent.local.services.size);
    },
  });
  new Gauge({
    name: 'concord_agent_checks',
    help: 'Checks registered with this agent',
    registers: [registry],
    collect() {
      this.set(agent.local.checks.size);
    },
  });
  const dropped: [string, string, keyof DroppedInputs][] = [
    ['concord_raft_non_member_messages_dropped', 'Raft messages dropped because their sender is not in the raft configuration', 'raftNonMemberMessages'],
    ['concord_gossip_streams_refused', 'Gossip TCP streams closed at once: too many open, or a first chunk that was too long or not in the expected format', 'gossipStreamsRefused'],
    ['concord_gossip_decrypt_failures', 'Gossip packets and frames no installed key opened, or plaintext while encryption is required', 'gossipDecryptFailures'],
  ];
  for (const [name, help, field] of dropped) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(agent.cluster.droppedInputs()[field]);
      },
    });
  }
  return [
    {
      path: '/v1/agent/metrics',
      methods: ['GET'],
      handler: async (ctx) => {
        if (ctx.query.get('format') === 'prometheus') {
          const text = await registry.metrics();
          ctx.res.setHeader('Content-Type', registry.contentType);
          ctx.res.end(text);
          return;
        }
        if (ctx.query.has('format')) return sendText(ctx.res, 400, `Invalid format: ${ctx.query.get('format')}`);
        const metrics = await registry.getMetricsAsJSON();
        const gauges: { Name: string; Value: number; Labels: Record<string, string> }[] = [];
        const counters: { Name: string; Count: number; Sum: number; Labels: Record<string, string> }[] = [];
        for (const m of metrics) {
          for (const v of m.values) {
            const labels = Object.fromEntries(Object.entries(v.labels ?? {}).map(([k, x]) => [k, String(x)]));
            if (String(m.type) === 'counter') counters.push({ Name: m.name, Count: v.value, Sum: v.value, Labels: labels });
            else if (String(m.type) === 'gauge') gauges.push({ Name: m.name, Value: v.value, Labels: labels });
          }
        }
        json(ctx, { Timestamp: new Date().toISOString(), Gauges: gauges, Points: [], Counters: counters, Samples: [] });
      },
    },
  ];
}
