import type { CheckDefinition } from '../local/definitions.js';
import { type AliasCatalog, startAlias } from './alias-check.js';
import { dockerProbe, dockerSpec } from './docker-check.js';
import { grpcProbe } from './grpc-check.js';
import { h2pingProbe } from './h2ping-check.js';
import { httpProbe, httpSpec } from './http-check.js';
import { schedule } from './scheduler.js';
import { scriptCommand, scriptProbe } from './script-check.js';
import { tcpProbe } from './tcp-check.js';
import { type CheckResult, type CheckRunner, DEFAULT_TIMEOUT_MS, type Probe } from './types.js';
import { udpProbe } from './udp-check.js';

export type { AliasCatalog } from './alias-check.js';
export type { CheckResult, CheckRunner, Probe } from './types.js';

export interface RunnerDeps {
  /** This agent's node (alias checks without AliasNode mirror it). */
  nodeName: string;
  catalog: AliasCatalog;
  /** May this check run a script (script checks, Docker exec)? */
  scriptsAllowed: boolean;
  random?: () => number;
}

function probeFor(def: CheckDefinition, deps: RunnerDeps): Probe | undefined {
  const s = def.spec;
  switch (def.Kind) {
    case 'http':
      return httpProbe(httpSpec(s));
    case 'tcp':
      return tcpProbe(String(s.TCP));
    case 'udp':
      return udpProbe(String(s.UDP));
    case 'grpc':
      return grpcProbe(String(s.GRPC), s.GRPCUseTLS === true, s.TLSSkipVerify === true);
    case 'h2ping':
      return h2pingProbe(String(s.H2PING), s.H2PingUseTLS !== false, s.TLSSkipVerify === true);
    case 'script': {
      if (!deps.scriptsAllowed) return disabled("Scripts are disabled on this agent; to enable, configure 'enable_script_checks' to true");
      return scriptProbe(scriptCommand(s));
    }
    case 'docker':
      if (!deps.scriptsAllowed) return disabled("Scripts are disabled on this agent; to enable, configure 'enable_script_checks' to true");
      return dockerProbe(dockerSpec(s));
    default:
      return undefined;
  }
}

function disabled(output: string): Probe {
  return () => Promise.resolve({ status: 'critical', output });
}

/**
 * Starts what makes a check's status change on its own (everything but TTL and maintenance
 * checks, which are driven by the API). Results are handed to `report`.
 */
export function startCheckRunner(def: CheckDefinition, deps: RunnerDeps, report: (result: CheckResult) => void): CheckRunner | undefined {
  if (def.Kind === 'ttl' || def.Kind === 'maintenance') return undefined;
  if (def.Kind === 'alias') {
    return startAlias(
      {
        node: typeof def.spec.AliasNode === 'string' && def.spec.AliasNode ? def.spec.AliasNode : deps.nodeName,
        serviceId: typeof def.spec.AliasService === 'string' ? def.spec.AliasService : '',
        selfCheckId: def.CheckID,
      },
      deps.catalog,
      report,
    );
  }
  const probe = probeFor(def, deps);
  if (!probe) return undefined;
  return schedule(probe, {
    intervalMs: def.intervalMs ?? DEFAULT_TIMEOUT_MS,
    timeoutMs: def.timeoutMs && def.timeoutMs > 0 ? def.timeoutMs : DEFAULT_TIMEOUT_MS,
    outputMaxSize: def.outputMaxSize,
    successBeforePassing: def.successBeforePassing,
    failuresBeforeWarning: def.failuresBeforeWarning,
    failuresBeforeCritical: def.failuresBeforeCritical,
    report,
    ...(deps.random ? { random: deps.random } : {}),
  });
}
