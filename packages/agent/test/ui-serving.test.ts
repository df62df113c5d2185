/**
 * The agent serves the web UI under /ui/: on by default with -dev, with -ui or ui_config
 * { enabled = true } otherwise, from ui_config { dir } when given; / redirects there; content
 * types, caching headers, gzip, deep links answered with index.html, and no path outside the
 * directory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import test from 'ava';
import { resolveAgentConfig } from '../src/index.js';
import { type AgentProcess, call, fileScope, startAgent, tempDir } from './_agent.js';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request sent byte for byte (fetch would normalise `..` in the path and undo gzip). */
function raw(agent: AgentProcess, method: string, path: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: agent.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

const scope = fileScope((fn) => test.after.always(fn));
let dev: AgentProcess;
let assets: { js: string; css: string };

test.before(async () => {
  dev = await startAgent(scope);
  const index = (await raw(dev, 'GET', '/ui/')).body.toString('utf8');
  const js = /\/ui\/assets\/(app-[A-Z0-9]{8}\.js)/.exec(index)?.[1];
  const css = /\/ui\/assets\/(app-[A-Z0-9]{8}\.css)/.exec(index)?.[1];
  if (!js || !css) throw new Error(`index.html names no hashed assets:\n${index}`);
  assets = { js, css };
});

test('/ redirects to /ui/ with 301 when the UI is on', async (t) => {
  const root = await raw(dev, 'GET', '/');
  t.is(root.status, 301);
  t.is(root.headers.location, '/ui/');
  const bare = await raw(dev, 'GET', '/ui');
  t.is(bare.status, 301);
  t.is(bare.headers.location, '/ui/');
});

test('index.html is HTML that must be revalidated; hashed assets are cached for a year', async (t) => {
  const index = await raw(dev, 'GET', '/ui/');
  t.is(index.status, 200);
  t.is(index.headers['content-type'], 'text/html; charset=utf-8');
  t.is(index.headers['cache-control'], 'no-cache');
  t.regex(index.body.toString(), /<div id="app">/);
  const js = await raw(dev, 'GET', `/ui/assets/${assets.js}`);
  t.is(js.status, 200);
  t.is(js.headers['content-type'], 'text/javascript; charset=utf-8');
  t.is(js.headers['cache-control'], 'public, max-age=31536000, immutable');
  const css = await raw(dev, 'GET', `/ui/assets/${assets.css}`);
  t.is(css.headers['content-type'], 'text/css; charset=utf-8');
  t.is(css.headers['x-content-type-options'], 'nosniff');
});

test('assets are gzipped for clients that accept it, and only for them', async (t) => {
  const plain = await raw(dev, 'GET', `/ui/assets/${assets.js}`);
  t.is(plain.headers['content-encoding'], undefined);
  const gz = await raw(dev, 'GET', `/ui/assets/${assets.js}`, { 'Accept-Encoding': 'br, gzip;q=0.8' });
  t.is(gz.headers['content-encoding'], 'gzip');
  t.is(gz.headers.vary, 'Accept-Encoding');
  t.true(gz.body.length < plain.body.length / 2);
  t.deepEqual(gunzipSync(gz.body), plain.body);
  const refused = await raw(dev, 'GET', `/ui/assets/${assets.js}`, { 'Accept-Encoding': 'gzip;q=0' });
  t.is(refused.headers['content-encoding'], undefined);
});

test('an ETag revalidates to 304, and HEAD answers headers only', async (t) => {
  const first = await raw(dev, 'GET', '/ui/');
  const etag = first.headers.etag as string;
  t.truthy(etag);
  const again = await raw(dev, 'GET', '/ui/', { 'If-None-Match': etag });
  t.is(again.status, 304);
  t.is(again.body.length, 0);
  const head = await raw(dev, 'HEAD', `/ui/assets/${assets.js}`);
  t.is(head.status, 200);
  t.is(head.body.length, 0);
  t.is(Number(head.headers['content-length']), (await raw(dev, 'GET', `/ui/assets/${assets.js}`)).body.length);
});

test('deep links of the app are answered with index.html; a missing asset is a 404', async (t) => {
  const index = (await raw(dev, 'GET', '/ui/')).body;
  for (const path of ['/ui/services/web', '/ui/nodes/n1', '/ui/kv/app/config.json', '/ui/kv/a/b/', '/ui/cluster?x=1', '/ui/services/team%2Fweb', '/ui/index.html%2Fx']) {
    const r = await raw(dev, 'GET', path);
    t.is(r.status, 200, path);
    t.is(r.headers['content-type'], 'text/html; charset=utf-8', path);
    t.is(r.headers['cache-control'], 'no-cache', path);
    t.deepEqual(r.body, index, path);
  }
  const missing = await raw(dev, 'GET', '/ui/assets/app-AAAAAAAA.js');
  t.is(missing.status, 404);
});

test('paths that climb out of the UI directory are refused', async (t) => {
  for (const path of [
    '/ui/../package.json',
    '/ui/assets/../../package.json',
    '/ui/..%2f..%2fpackage.json',
    '/ui/%2e%2e/%2e%2e/package.json',
    '/ui/assets/..%5c..%5cpackage.json',
    '/ui/%00',
    '/ui/%zz',
  ]) {
    const r = await raw(dev, 'GET', path);
    t.is(r.status, 400, path);
    t.is(r.body.toString(), 'Invalid UI path', path);
  }
});

test('only GET and HEAD are served under /ui/', async (t) => {
  const r = await raw(dev, 'POST', '/ui/');
  t.is(r.status, 405);
  t.is(r.headers.allow, 'GET,HEAD');
});

test('the API is unaffected: /v1 paths are not UI paths', async (t) => {
  const r = await call(dev, 'GET', '/v1/status/leader');
  t.is(r.status, 200);
  t.regex(r.json<string>(), /^127\.0\.0\.1:\d+$/);
});

test('without -dev the UI is off unless asked: / says "Consul Agent" and /ui/ is a 404', async (t) => {
  const agent = await startAgent(t, { durable: true });
  const root = await raw(agent, 'GET', '/');
  t.is(root.status, 200);
  t.is(root.body.toString(), 'Consul Agent');
  t.is((await raw(agent, 'GET', '/ui/')).status, 404);
});

test('-ui turns the UI on for a server that is not -dev', async (t) => {
  const agent = await startAgent(t, { durable: true, extraArgs: ['-ui'] });
  t.is((await raw(agent, 'GET', '/')).status, 301);
  t.is((await raw(agent, 'GET', '/ui/')).status, 200);
});

test('ui_config { enabled = false } turns it off even with -dev', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'ui.hcl'), 'ui_config {\n  enabled = false\n}\n');
  const agent = await startAgent(t, { extraArgs: ['-config-file', join(dir, 'ui.hcl')] });
  t.is((await raw(agent, 'GET', '/')).body.toString(), 'Consul Agent');
  t.is((await raw(agent, 'GET', '/ui/')).status, 404);
});

test('ui_config { dir } serves a custom build from that directory, with the configured response headers', async (t) => {
  const dir = tempDir(t);
  const www = join(dir, 'www');
  mkdirSync(join(www, 'static'), { recursive: true });
  writeFileSync(join(www, 'index.html'), '<!doctype html><title>custom</title><p>custom build</p>');
  writeFileSync(join(www, 'static', 'site.css'), 'body { color: red }');
  writeFileSync(
    join(dir, 'ui.hcl'),
    `ui_config {\n  enabled = true\n  dir = ${JSON.stringify(www)}\n}\nhttp_config {\n  response_headers {\n    X-Frame-Options = "DENY"\n  }\n}\n`,
  );
  const agent = await startAgent(t, { durable: true, extraArgs: ['-config-file', join(dir, 'ui.hcl')] });
  const index = await raw(agent, 'GET', '/ui/');
  t.is(index.status, 200);
  t.regex(index.body.toString(), /custom build/);
  t.is(index.headers['x-frame-options'], 'DENY', 'http_config.response_headers apply to the UI too');
  const css = await raw(agent, 'GET', '/ui/static/site.css');
  t.is(css.headers['content-type'], 'text/css; charset=utf-8');
  t.is(css.headers['cache-control'], 'no-cache', 'names without a content hash are revalidated');
  t.is(css.body.toString(), 'body { color: red }');
  t.regex((await raw(agent, 'GET', '/ui/some/route')).body.toString(), /custom build/);
});

test('a ui_config dir without an index.html stops the agent at start with a clear error', async (t) => {
  const dir = tempDir(t);
  const err = await t.throwsAsync(startAgent(t, { extraArgs: ['-ui-dir', join(dir, 'missing')] }));
  t.regex(err?.message ?? '', /ui_config\.dir: no index\.html in .*missing/);
});

test('ui settings: flags over ui_config over the legacy keys; bad ui_config is a config error', (t) => {
  const dir = tempDir(t);
  const file = (name: string, body: object) => {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(body));
    return p;
  };
  const base = ['-data-dir', dir];
  t.like(resolveAgentConfig(['-dev']), { ui: true, uiDir: undefined });
  t.like(resolveAgentConfig(base), { ui: false });
  t.like(resolveAgentConfig([...base, '-ui']), { ui: true });
  t.like(resolveAgentConfig([...base, '-ui-dir', '/srv/ui']), { ui: true, uiDir: '/srv/ui' });
  t.like(resolveAgentConfig([...base, '-config-file', file('legacy.json', { ui: true, ui_dir: '/x' })]), { ui: true, uiDir: '/x' });
  t.like(resolveAgentConfig(['-dev', '-config-file', file('off.json', { ui_config: { enabled: false } })]), { ui: false });
  t.like(resolveAgentConfig(['-dev', '-ui=false']), { ui: false });
  t.throws(() => resolveAgentConfig([...base, '-config-file', file('bad.json', { ui_config: { colour: 'red' } })]), {
    message: 'ui_config: invalid config key colour',
  });
  t.throws(() => resolveAgentConfig([...base, '-config-file', file('bad2.json', { ui_config: { enabled: 'yes' } })]), {
    message: 'ui_config.enabled must be a boolean',
  });
  t.throws(() => resolveAgentConfig([...base, '-config-file', file('bad3.json', { ui_config: { content_path: '/console/' } })]), {
    message: 'ui_config.content_path: only /ui/ is supported, got /console/',
  });
  t.like(resolveAgentConfig([...base, '-config-file', file('cp.json', { ui_config: { enabled: true, content_path: '/ui/' } })]), { ui: true });
});
