import { createHash } from 'node:crypto';
import { type Stats, promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sendEmpty, sendText } from './respond.js';

/** Where the UI is served from; Consul's default content path. */
export const UI_PREFIX = '/ui/';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt', '.webmanifest']);
/** esbuild's content hash in a file name (`app-5GQK2T7A.js`): such a file never changes. */
const HASHED_NAME = /-[A-Z0-9]{8}\.[a-z0-9]+$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Files above this are not read into memory; the UI's assets are a few hundred KB. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;
const MIN_GZIP_BYTES = 512;
const MAX_CACHED_FILES = 256;
/** The build's folder of scripts and styles, whose missing files are 404s rather than app routes. */
const ASSETS_DIR = 'assets';

interface Loaded {
  key: string;
  body: Buffer;
  gzip: Buffer | undefined;
  etag: string;
}

/**
 * Serves a directory of static UI files under `/ui/`: content types, long caching for hashed
 * asset names and `no-cache` for index.html, gzip when the client accepts it, `index.html` for any
 * path without a file extension (deep links of a single-page app), and no path outside the
 * directory.
 */
export class UiFiles {
  readonly #root: string;
  readonly #cache = new Map<string, Loaded>();

  constructor(dir: string) {
    this.#root = resolve(dir);
  }

  get root(): string {
    return this.#root;
  }

  /** Whether a request URL belongs to the UI: `/`, `/ui` and everything under `/ui/`. */
  owns(url: string | undefined): boolean {
    const path = pathOf(url);
    return path === '/' || path === '/ui' || path.startsWith(UI_PREFIX);
  }

  /** Answers a request that the UI owns (see `owns`). */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const path = pathOf(req.url);
    if (path === '/' || path === '/ui') {
      res.statusCode = 301;
      res.setHeader('Location', UI_PREFIX);
      res.setHeader('Content-Length', 0);
      res.end();
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('Allow', 'GET,HEAD');
      sendText(res, 405, `method ${method} not allowed`);
      return;
    }
    const rel = relativePath(path.slice(UI_PREFIX.length));
    if (rel === undefined) {
      sendText(res, 400, 'Invalid UI path');
      return;
    }
    this.#serve(req, res, rel).catch((err: unknown) => {
      if (!res.headersSent) sendText(res, 500, `UI file error: ${(err as Error).message}`);
      else res.destroy();
    });
  }

  async #serve(req: IncomingMessage, res: ServerResponse, rel: string[]): Promise<void> {
    // A segment holding an escaped slash names something in an app route, never a file.
    const fileLike = rel.every((seg) => !seg.includes('/') && !seg.includes('\\'));
    let file = rel.length === 0 ? join(this.#root, 'index.html') : join(this.#root, ...rel);
    let stat = fileLike ? await statFile(file) : undefined;
    if (stat?.isDirectory()) {
      file = join(file, 'index.html');
      stat = await statFile(file);
    }
    if (!stat?.isFile()) {
      // A missing asset is a 404; any other path is a route of the app (a deep link), answered
      // with its index page.
      if (rel[0] === ASSETS_DIR) {
        sendText(res, 404, 'Not found');
        return;
      }
      file = join(this.#root, 'index.html');
      stat = await statFile(file);
      if (!stat?.isFile()) {
        sendText(res, 404, `UI not found: no index.html in ${this.#root}`);
        return;
      }
    }
    if (!file.startsWith(this.#root + sep)) {
      sendText(res, 400, 'Invalid UI path');
      return;
    }
    if (stat.size > MAX_FILE_BYTES) {
      sendText(res, 500, 'UI file too large');
      return;
    }
    const ext = extname(file).toLowerCase();
    const loaded = await this.#load(file, stat, COMPRESSIBLE.has(ext));
    res.setHeader('Content-Type', CONTENT_TYPES[ext] ?? 'application/octet-stream');
    res.setHeader('Cache-Control', HASHED_NAME.test(file) ? IMMUTABLE : 'no-cache');
    res.setHeader('ETag', loaded.etag);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (loaded.gzip) res.setHeader('Vary', 'Accept-Encoding');
    if (req.headers['if-none-match'] === loaded.etag) {
      sendEmpty(res, 304);
      return;
    }
    const gzip = loaded.gzip && acceptsGzip(req.headers['accept-encoding']);
    const body = gzip ? (loaded.gzip as Buffer) : loaded.body;
    if (gzip) res.setHeader('Content-Encoding', 'gzip');
    res.statusCode = 200;
    res.setHeader('Content-Length', body.length);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async #load(file: string, stat: Stats, compressible: boolean): Promise<Loaded> {
    const key = `${stat.size}-${stat.mtimeMs}`;
    const hit = this.#cache.get(file);
    if (hit && hit.key === key) return hit;
    const body = await fs.readFile(file);
    const loaded: Loaded = {
      key,
      body,
      gzip: compressible && body.length >= MIN_GZIP_BYTES ? gzipSync(body) : undefined,
      etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`,
    };
    if (this.#cache.size >= MAX_CACHED_FILES) this.#cache.clear();
    this.#cache.set(file, loaded);
    return loaded;
  }
}

/**
 * The decoded path segments below `/ui/` (empty ones dropped), or undefined when one is or holds
 * `.` or `..` (also between escaped slashes or backslashes), holds NUL, or is badly escaped.
 */
export function relativePath(raw: string): string[] | undefined {
  const parts = raw.split('/');
  const out: string[] = [];
  for (const p of parts) {
    let seg: string;
    try {
      seg = decodeURIComponent(p);
    } catch {
      return undefined;
    }
    if (seg === '') continue;
    // An escaped `/` may be part of a name in an app route (a service called `a/b`), but no part
    // of a segment may climb.
    if (seg.includes('\0') || seg.split(/[/\\]/).some((part) => part === '.' || part === '..')) return undefined;
    out.push(seg);
  }
  return out;
}

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q === -1 ? u : u.slice(0, q);
}

function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [name, ...params] = part.trim().split(';');
    if (name?.trim().toLowerCase() !== 'gzip') return false;
    const q = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

async function statFile(path: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(path);
  } catch {
    return undefined;
  }
}
