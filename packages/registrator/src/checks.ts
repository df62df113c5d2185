/**
 * The one health check registrator derives from `SERVICE_[<port>_]CHECK_*`
 * settings (first match wins: http, https, cmd, script, ttl, tcp, grpc, docker).
 * Deviations from registrator: `check_script` runs through `/bin/sh -c` (a single
 * argv element with spaces cannot be executed), and `check_docker` builds a
 * Docker check as MetaBrainz' serviceregistrator does.
 */
import type { AgentCheckRegistration, HealthStatus } from '@concord/api';

export interface CheckTarget {
  /** The registered address and port: checks run from the agent against them. */
  readonly ip: string;
  readonly port: number;
  readonly containerId: string;
  readonly exposedPort: string;
}

const DEFAULT_INTERVAL = '10s';
const STATUSES = new Set<string>(['passing', 'warning', 'critical', 'maintenance']);

export function buildCheck(attrs: ReadonlyMap<string, string>, target: CheckTarget): AgentCheckRegistration | undefined {
  const kind = checkKind(attrs, target);
  if (!kind) return undefined;
  const status = attrs.get('check_initial_status');
  const deregister = attrs.get('check_deregister_after');
  const interval = kind.TTL === undefined ? (attrs.get('check_interval') ?? DEFAULT_INTERVAL) : undefined;
  return {
    ...kind,
    ...(interval !== undefined ? { Interval: interval } : {}),
    ...(status !== undefined && STATUSES.has(status) ? { Status: status as HealthStatus } : {}),
    ...(deregister !== undefined ? { DeregisterCriticalServiceAfter: deregister } : {}),
  };
}

function checkKind(attrs: ReadonlyMap<string, string>, t: CheckTarget): AgentCheckRegistration | undefined {
  const timeout = attrs.get('check_timeout');
  const withTimeout = timeout !== undefined ? { Timeout: timeout } : {};
  const hostPort = `${formatHost(t.ip)}:${t.port}`;
  const http = attrs.get('check_http');
  if (http !== undefined) {
    const method = attrs.get('check_http_method');
    return { HTTP: `http://${hostPort}${http}`, ...withTimeout, ...(method ? { Method: method } : {}) };
  }
  const https = attrs.get('check_https');
  if (https !== undefined) {
    const method = attrs.get('check_https_method');
    return {
      HTTP: `https://${hostPort}${https}`,
      ...withTimeout,
      ...(method ? { Method: method } : {}),
      ...(attrs.has('check_tls_skip_verify') ? { TLSSkipVerify: true } : {}),
    };
  }
  const cmd = attrs.get('check_cmd');
  if (cmd !== undefined) return { Args: ['check-cmd', t.containerId.slice(0, 12), t.exposedPort, cmd] };
  const script = attrs.get('check_script');
  if (script !== undefined) return { Args: ['/bin/sh', '-c', substitute(script, t)] };
  const ttl = attrs.get('check_ttl');
  if (ttl !== undefined) return { TTL: ttl };
  if (attrs.has('check_tcp')) return { TCP: hostPort, ...withTimeout };
  if (attrs.has('check_grpc')) {
    const tls = attrs.has('check_grpc_use_tls');
    return {
      GRPC: hostPort,
      ...withTimeout,
      ...(tls ? { GRPCUseTLS: true } : {}),
      ...(tls && attrs.has('check_tls_skip_verify') ? { TLSSkipVerify: true } : {}),
    };
  }
  const docker = attrs.get('check_docker');
  if (docker !== undefined) {
    return {
      DockerContainerID: t.containerId.slice(0, 12),
      Shell: attrs.get('check_docker_shell') ?? '/bin/sh',
      Args: shellSplit(substitute(docker, t)),
    };
  }
  return undefined;
}

function formatHost(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}

function substitute(text: string, t: CheckTarget): string {
  return text.replace(/\$SERVICE_IP\b|\$\{SERVICE_IP\}/g, t.ip).replace(/\$SERVICE_PORT\b|\$\{SERVICE_PORT\}/g, String(t.port));
}

/** Splits a command line on blanks, honouring single and double quotes and backslashes. */
export function shellSplit(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}
