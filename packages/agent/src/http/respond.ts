import type { ServerResponse } from 'node:http';

const GO_ESCAPES = /[<>&\u2028\u2029]/;
const GO_ESCAPE_ALL = /[<>&\u2028\u2029]/g;
const escapes: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** KV flags above 2^53 are kept as decimal strings (see the state package's KvEntry). */
const STRING_FLAGS = /([{,]\s*)"Flags":( ?)"(\d+)"/g;

/** Writes uint64 KV flags kept as strings as the JSON numbers Consul sends. */
export function unquoteFlags(json: string): string {
  return json.includes('"Flags":') ? json.replace(STRING_FLAGS, '$1"Flags":$2$3') : json;
}

/** JSON as Go's encoding/json writes it: `<`, `>`, `&` escaped; `?pretty` indents by 4 spaces. */
export function encodeJson(value: unknown, pretty: boolean): string {
  let s = pretty ? `${JSON.stringify(value, null, 4)}\n` : JSON.stringify(value);
  if (s === undefined) s = 'null';
  if (GO_ESCAPES.test(s)) s = s.replace(GO_ESCAPE_ALL, (c) => escapes[c] as string);
  return unquoteFlags(s);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, pretty = false): void {
  sendJsonText(res, status, encodeJson(value, pretty));
}

export function sendJsonText(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

export function sendText(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

export function sendEmpty(res: ServerResponse, status = 200): void {
  res.statusCode = status;
  res.setHeader('Content-Length', 0);
  res.end();
}
