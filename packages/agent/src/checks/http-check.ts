import { type IncomingMessage, STATUS_CODES, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CheckResult, Probe, ProbeContext } from './types.js';
import { errorText } from './types.js';

export interface HttpCheckSpec {
  url: string;
  method: string;
  headers: Record<string, string[]>;
  body: string;
  tlsSkipVerify: boolean;
  tlsServerName?: string;
  disableRedirects: boolean;
}

const MAX_REDIRECTS = 10;

/** Reads a spec from a check definition's `spec` (HTTP, Method, Header, Body, TLSSkipVerify, ...). */
export function httpSpec(spec: Record<string, unknown>): HttpCheckSpec {
  const headers: Record<string, string[]> = {};
  const raw = spec.Header;
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      if (Array.isArray(v)) headers[k] = v.map(String);
      else if (typeof v === 'string') headers[k] = [v];
    }
  }
  return {
    url: String(spec.HTTP ?? ''),
    method: typeof spec.Method === 'string' && spec.Method ? spec.Method.toUpperCase() : 'GET',
    headers,
    body: typeof spec.Body === 'string' ? spec.Body : '',
    tlsSkipVerify: spec.TLSSkipVerify === true,
    ...(typeof spec.TLSServerName === 'string' && spec.TLSServerName ? { tlsServerName: spec.TLSServerName } : {}),
    disableRedirects: spec.DisableRedirects === true,
  };
}

interface Response {
  code: number;
  body: Buffer;
  location?: string;
}

function once(spec: HttpCheckSpec, url: URL, method: string, body: string, ctx: ProbeContext): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = {
      'User-Agent': 'Consul Health Check',
      Accept: 'text/plain, text/*, */*',
    };
    for (const [k, v] of Object.entries(spec.headers)) headers[k] = v.length === 1 ? (v[0] as string) : v;
    if (body) headers['Content-Length'] = String(Buffer.byteLength(body));
    const options = {
      method,
      headers,
      signal: ctx.signal,
      ...(url.protocol === 'https:' ? { rejectUnauthorized: !spec.tlsSkipVerify, ...(spec.tlsServerName ? { servername: spec.tlsServerName } : {}) } : {}),
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, options, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size >= ctx.outputMaxSize) return;
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () =>
        resolve({
          code: res.statusCode ?? 0,
          body: Buffer.concat(chunks).subarray(0, ctx.outputMaxSize),
          ...(res.headers.location ? { location: res.headers.location } : {}),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body || undefined);
  });
}

function goMethod(method: string): string {
  return method.charAt(0) + method.slice(1).toLowerCase();
}

/** An HTTP(S) check: 2xx passing, 429 warning, anything else (or no answer) critical. */
export function httpProbe(spec: HttpCheckSpec): Probe {
  return async (ctx): Promise<CheckResult> => {
    let url: URL;
    try {
      url = new URL(spec.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported protocol scheme "${url.protocol.replace(':', '')}"`);
    } catch (err) {
      return { status: 'critical', output: `${goMethod(spec.method)} "${spec.url}": ${errorText(err)}` };
    }
    let method = spec.method;
    let body = spec.body;
    let res: Response;
    try {
      for (let hop = 0; ; hop++) {
        res = await once(spec, url, method, body, ctx);
        const redirect = res.code >= 300 && res.code < 400 && res.code !== 304 && res.location;
        if (spec.disableRedirects || !redirect) break;
        if (hop >= MAX_REDIRECTS) throw new Error('stopped after 10 redirects');
        url = new URL(res.location as string, url);
        if (res.code === 303 || ((res.code === 301 || res.code === 302) && method === 'POST')) {
          method = method === 'HEAD' ? 'HEAD' : 'GET';
          body = '';
        }
      }
    } catch (err) {
      const why = ctx.signal.aborted ? `context deadline exceeded (Client.Timeout exceeded while awaiting headers)` : errorText(err);
      return { status: 'critical', output: `${goMethod(spec.method)} "${spec.url}": ${why}` };
    }
    const statusText = `${res.code} ${STATUS_CODES[res.code] ?? ''}`.trimEnd();
    const output = `HTTP ${spec.method} ${spec.url}: ${statusText} Output: ${res.body.toString('utf8')}`;
    if (res.code >= 200 && res.code <= 299) return { status: 'passing', output };
    if (res.code === 429) return { status: 'warning', output };
    return { status: 'critical', output };
  };
}
