/**
 * Question names → what they ask for. Mirrors Consul's label scan: the rightmost `service`,
 * `node`, `addr`, `query`, ... label decides the kind; labels after it name the datacenter
 * (`<dc>` or `<dc>.dc`); for SRV questions an `_`-prefixed label may stand in for `service`.
 */

import { QTYPE, splitName } from './wire.js';

export type DnsLookup =
  | { kind: 'service'; service: string; tag: string; datacenter: string }
  | { kind: 'node'; node: string; datacenter: string }
  | { kind: 'addr'; hex: string; datacenter: string }
  | { kind: 'query'; query: string; datacenter: string }
  | { kind: 'ptr' }
  | { kind: 'invalid' }
  | { kind: 'outside' };

export interface DomainMatch {
  /** The configured domain (lower-case, no trailing dot) the question falls under. */
  domain: string;
  /** The labels before the domain. */
  labels: string[];
}

const KINDS = new Set(['service', 'connect', 'virtual', 'ingress', 'node', 'query', 'addr']);

/** Which configured domain a question is under (the longest match wins), if any. */
export function matchDomain(labels: readonly string[], domains: readonly string[][]): DomainMatch | undefined {
  let best: DomainMatch | undefined;
  let bestLen = -1;
  for (const d of domains) {
    if (d.length > labels.length || d.length <= bestLen) continue;
    let ok = true;
    for (let i = 1; i <= d.length; i++) {
      if (labels[labels.length - i] !== d[d.length - i]) {
        ok = false;
        break;
      }
    }
    if (ok) {
      best = { domain: d.join('.'), labels: labels.slice(0, labels.length - d.length) };
      bestLen = d.length;
    }
  }
  return best;
}

export function domainLabels(domain: string): string[] {
  return splitName(domain.toLowerCase());
}

function datacenterOf(suffixes: readonly string[], local: string): string | undefined {
  if (suffixes.length === 0) return local;
  if (suffixes.length === 1) return suffixes[0];
  if (suffixes.length === 2 && suffixes[1] === 'dc') return suffixes[0];
  return undefined;
}

/** Classifies a question. `labels` are lower-case; `domains` are the configured domains' labels. */
export function parseQuestion(labels: readonly string[], qtype: number, domains: readonly string[][], localDatacenter: string): DnsLookup & { domain?: string } {
  const last = labels[labels.length - 1];
  if (last === 'arpa') return { kind: 'ptr' };
  const match = matchDomain(labels, domains);
  if (!match) return { kind: 'outside' };
  const rest = match.labels;
  let kind = '';
  let parts: string[] = [];
  let suffixes: string[] = [];
  for (let i = rest.length - 1; i >= 0; i--) {
    const label = rest[i] as string;
    if (KINDS.has(label)) {
      kind = label;
      parts = rest.slice(0, i);
      suffixes = rest.slice(i + 1);
      break;
    }
    if (qtype === QTYPE.SRV && label.startsWith('_')) {
      kind = 'service';
      parts = rest.slice(0, i + 1);
      suffixes = rest.slice(i + 1);
      break;
    }
  }
  const invalid = { kind: 'invalid' as const, domain: match.domain };
  const dc = datacenterOf(suffixes, localDatacenter);
  if (dc === undefined || parts.length === 0) return invalid;
  switch (kind) {
    case 'service': {
      const n = parts.length;
      if (n === 2 && (parts[0] as string).startsWith('_') && (parts[1] as string).startsWith('_')) {
        const tag = (parts[1] as string).slice(1);
        return { kind: 'service', service: (parts[0] as string).slice(1), tag: tag === 'tcp' ? '' : tag, datacenter: dc, domain: match.domain };
      }
      return { kind: 'service', service: parts[n - 1] as string, tag: parts.slice(0, n - 1).join('.'), datacenter: dc, domain: match.domain };
    }
    case 'node':
      return { kind: 'node', node: parts.join('.'), datacenter: dc, domain: match.domain };
    case 'query': {
      // <query>.query[.<dc>].<domain> only (no `.dc` form); `_<query>._<proto>.query...` is the
      // RFC 2782 form, whose last label is ignored; dots may stand inside the name.
      if (suffixes.length > 1) return invalid;
      const n = parts.length;
      const rfc2782 = n >= 2 && (parts[0] as string).startsWith('_') && (parts[n - 1] as string).startsWith('_');
      const query = rfc2782
        ? parts
            .slice(0, n - 1)
            .join('.')
            .slice(1)
        : parts.join('.');
      return { kind: 'query', query, datacenter: dc, domain: match.domain };
    }
    case 'addr':
      if (parts.length !== 1) return invalid;
      return { kind: 'addr', hex: parts[0] as string, datacenter: dc, domain: match.domain };
    default:
      // mesh-only names (connect, virtual, ingress) are not served
      return invalid;
  }
}
