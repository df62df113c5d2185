import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { AgentContext } from '../../agent-context.js';
import type { DroppedInputs } from '../../cluster/cluster.js';
import { json } from '../endpoint-kit.js';
import { sendText } from '../respond.js';
import type { Route } from '../router.js';

/** Gauges Consul has no name for, under `concord_*` (and Node.js's own process metrics). */
function concordRegistry(agent: AgentContext): Registry {
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
        this.set(state.watcherCount + agent.parkedReads.count);
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
    [
      'concord_gossip_streams_refused',
      'Gossip TCP streams closed at once: too many open, or a first chunk that was too long or not in the expected format',
      'gossipStreamsRefused',
    ],
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
  new Gauge({
    name: 'concord_agent_monitors',
    help: "Clients streaming this agent's logs (/v1/agent/monitor)",
    registers: [registry],
    collect() {
      this.set(agent.logs?.monitorCount ?? 0);
    },
  });
  return registry;
}

/**
 * `/v1/agent/metrics`: Consul's metric names (go-metrics' in-memory JSON by default, Prometheus
 * text with `?format=prometheus` once `telemetry.prometheus_retention_time` is set), followed
 * by Concord's own `concord_*` metrics.
 */
export function metricsRoutes(agent: AgentContext): Route[] {
  const registry = concordRegistry(agent);
  const telemetry = agent.telemetry;
  return [
    {
      path: '/v1/agent/metrics',
      methods: ['GET'],
      handler: async (ctx) => {
        const format = ctx.query.get('format');
        if (format === 'prometheus') {
          if (!telemetry.prometheusEnabled) return sendText(ctx.res, 415, 'Prometheus is not enabled since its retention time is not positive');
          const text = `${await telemetry.prometheus()}\n${await registry.metrics()}`;
          ctx.res.setHeader('Content-Type', registry.contentType);
          ctx.res.end(text);
          return;
        }
        if (ctx.query.has('format')) return sendText(ctx.res, 400, `Invalid format: ${format}`);
        const out = telemetry.json();
        for (const m of await registry.getMetricsAsJSON()) {
          for (const v of m.values) {
            const labels = Object.fromEntries(Object.entries(v.labels ?? {}).map(([k, x]) => [k, String(x)]));
            if (String(m.type) === 'gauge') out.Gauges.push({ Name: m.name, Value: v.value, Labels: labels });
          }
        }
        json(ctx, out);
      },
    },
  ];
}
