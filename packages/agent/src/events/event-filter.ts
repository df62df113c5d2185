/**
 * Consul's `shouldProcessUserEvent`: a receiving agent keeps an event only if its node name
 * matches the node filter and, with a service filter, one of its local services matches (and,
 * with a tag filter too, one of that service's tags). A filter that does not compile drops it.
 */
import { type UserEvent, compileFilter, matchesAnywhere } from './user-event.js';

export interface LocalServiceView {
  readonly Service: string;
  readonly Tags?: readonly string[];
}

function compiled(pattern: string): ReturnType<typeof compileFilter> | undefined {
  try {
    return compileFilter(pattern);
  } catch {
    return undefined;
  }
}

export function eventPassesFilters(e: UserEvent, nodeName: string, services: Iterable<LocalServiceView>): boolean {
  if (e.NodeFilter !== '') {
    const re = compiled(e.NodeFilter);
    if (re === undefined || !matchesAnywhere(re, nodeName)) return false;
  }
  if (e.ServiceFilter === '') return true;
  const serviceRe = compiled(e.ServiceFilter);
  if (serviceRe === undefined) return false;
  let tagRe: ReturnType<typeof compileFilter> | undefined;
  if (e.TagFilter !== '') {
    tagRe = compiled(e.TagFilter);
    if (tagRe === undefined) return false;
  }
  for (const svc of services) {
    if (!matchesAnywhere(serviceRe, svc.Service)) continue;
    if (tagRe === undefined) return true;
    for (const tag of svc.Tags ?? []) if (matchesAnywhere(tagRe, tag)) return true;
  }
  return false;
}
