/**
 * `translate_wan_addrs` for HTTP, as Consul's agent applies it (agent/translate_addr.go): the
 * answers of the catalog and health reads that list nodes and service instances of another
 * datacenter, and a prepared query answered by another datacenter, carry their WAN addresses
 * (`wan_ipv6`, `wan_ipv4`, then `wan` tagged addresses; a service's `wan` tagged port) in place
 * of the LAN ones; every query answer says `X-Consul-Translate-Addresses: true`. The agent the
 * request arrived at rewrites the answer with its own setting, whichever server produced it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { encodeJson } from './respond.js';

type Json = Record<string, unknown>;

/** A compressed answer that inflates past this is sent as it is, untranslated. */
const MAX_TRANSLATED_BYTES = 64 * 1024 * 1024;
type ServiceAddress = { Address?: unknown; Port?: unknown };

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Consul's translateAddressAccept with every family accepted: IPv6, then IPv4, then the default. */
function pick(def: string, v4: string, v6: string): string {
  return v6 || v4 || def;
}

/** A node address of another datacenter (Consul's TranslateAddress). */
export function wanNodeAddress(address: string, tagged: unknown): string {
  const t = isObject(tagged) ? tagged : {};
  return pick(str(t.wan) || address, str(t.wan_ipv4) || str(t.lan_ipv4), str(t.wan_ipv6) || str(t.lan_ipv6));
}

/** A service address of another datacenter (Consul's TranslateServiceAddress). */
export function wanServiceAddress(address: string, tagged: unknown): string {
  const t = isObject(tagged) ? (tagged as Record<string, ServiceAddress>) : {};
  const a = (k: string) => (isObject(t[k]) ? str(t[k]?.Address) : '');
  const def = isObject(t.wan) ? a('wan') : address;
  return pick(def, a('wan_ipv4') || a('lan_ipv4'), a('wan_ipv6') || a('lan_ipv6'));
}

/** A service port of another datacenter (Consul's TranslateServicePort). */
export function wanServicePort(port: unknown, tagged: unknown): unknown {
  const wan = isObject(tagged) ? tagged.wan : undefined;
  return isObject(wan) && typeof wan.Port === 'number' && wan.Port !== 0 ? wan.Port : port;
}

function node(n: unknown): void {
  if (isObject(n)) n.Address = wanNodeAddress(str(n.Address), n.TaggedAddresses);
}

/** A service as `/v1/catalog/node/<n>` and `/v1/health/service/<s>` show it. */
function service(s: unknown): void {
  if (!isObject(s)) return;
  s.Address = wanServiceAddress(str(s.Address), s.TaggedAddresses);
  s.Port = wanServicePort(s.Port, s.TaggedAddresses);
}

function checkServiceNodes(list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const e of list) {
    if (!isObject(e)) continue;
    node(e.Node);
    service(e.Service);
  }
}

function serviceNodes(list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const e of list) {
    if (!isObject(e)) continue;
    e.Address = wanNodeAddress(str(e.Address), e.TaggedAddresses);
    e.ServiceAddress = wanServiceAddress(str(e.ServiceAddress), e.ServiceTaggedAddresses);
    e.ServicePort = wanServicePort(e.ServicePort, e.ServiceTaggedAddresses);
  }
}

function nodeServices(v: unknown): void {
  if (!isObject(v)) return;
  node(v.Node);
  const services = Array.isArray(v.Services) ? v.Services : isObject(v.Services) ? Object.values(v.Services) : [];
  for (const s of services) service(s);
}

/** How the answer of a path is translated, or undefined when it carries no addresses to translate. */
function translatorFor(path: string): ((body: unknown, local: string, dc: string) => boolean) | undefined {
  const remoteOnly = (f: (b: unknown) => void) => (body: unknown, local: string, dc: string) => {
    if (dc === local) return false;
    f(body);
    return true;
  };
  if (path === '/v1/catalog/nodes') return remoteOnly((b) => (Array.isArray(b) ? b.forEach(node) : undefined));
  if (path.startsWith('/v1/catalog/service/')) return remoteOnly(serviceNodes);
  if (path.startsWith('/v1/catalog/node/') || path.startsWith('/v1/catalog/node-services/')) return remoteOnly(nodeServices);
  if (path.startsWith('/v1/health/service/')) return remoteOnly(checkServiceNodes);
  if (path.startsWith('/v1/query/') && path.endsWith('/execute')) {
    // The answering datacenter is the answer's own (a failover lands elsewhere).
    return (body, local) => {
      if (!isObject(body) || str(body.Datacenter).toLowerCase() === local || str(body.Datacenter) === '') return false;
      checkServiceNodes(body.Nodes);
      return true;
    };
  }
  return undefined;
}

function bodyOf(chunk: unknown, encoding: unknown): Buffer | undefined {
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return undefined;
}

/**
 * Makes `res` translate its answer on the way out (call before the request is routed): the
 * `X-Consul-Translate-Addresses` header on every answer that carries an `X-Consul-Index`, and the
 * addresses of another datacenter's nodes and services in the bodies listed above. A body that
 * is written in pieces or is not JSON is sent as it is.
 */
export function translateWanAddresses(req: IncomingMessage, res: ServerResponse, localDatacenter: string): void {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  try {
    path = decodeURIComponent(path);
  } catch {
    return;
  }
  const local = localDatacenter.toLowerCase();
  const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
  const dc = (query.get('dc') || local).toLowerCase();
  const pretty = query.has('pretty');
  const translate = translatorFor(path);
  const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
  res.end = ((chunk?: unknown, encoding?: unknown, cb?: unknown) => {
    if (res.headersSent || res.getHeader('x-consul-index') === undefined) return end(chunk, encoding, cb);
    res.setHeader('X-Consul-Translate-Addresses', 'true');
    const raw = translate && res.statusCode === 200 ? bodyOf(chunk, encoding) : undefined;
    if (!translate || !raw) return end(chunk, encoding, cb);
    try {
      const gzipped = String(res.getHeader('content-encoding') ?? '').toLowerCase() === 'gzip';
      const text = (gzipped ? gunzipSync(raw, { maxOutputLength: MAX_TRANSLATED_BYTES }) : raw).toString('utf8');
      const body: unknown = JSON.parse(text);
      if (!translate(body, local, dc)) return end(chunk, encoding, cb);
      const out = Buffer.from(encodeJson(body, pretty));
      if (gzipped) res.removeHeader('content-encoding');
      res.setHeader('Content-Length', out.length);
      return end(out, typeof encoding === 'function' ? encoding : cb);
    } catch {
      return end(chunk, encoding, cb);
    }
  }) as typeof res.end;
}
