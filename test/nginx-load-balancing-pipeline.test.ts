/**
 * The whole pipeline with real parts: Docker containers started by the test,
 * the sidecar registering them with a dev agent, `concord template`
 * rendering nginx's upstream from the catalog and running `nginx -s reload`,
 * and Debian's nginx (own prefix and config in a temp dir, an ephemeral port,
 * started and stopped by PID) balancing HTTP over the live containers.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { BIN, ROOT, startDevAgent } from './_agent.js';
import { docker, dockerTest, ensureTestImages, imageRef, uniqueName } from './_docker.js';
import { run, startSidecar, within } from './_registrator.js';

const NGINX = '/usr/sbin/nginx';

/** The upstream template of the Marathon/Mesos guides, with a placeholder while no instance is up. */
const UPSTREAM_TEMPLATE = `upstream app {
{{- range service "pipeline-web" }}
  server {{ .Address }}:{{ .Port }} max_fails=3 fail_timeout=90;
{{- else }}
  server 127.0.0.1:1 down;
{{- end }}
}
`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function nginxConfig(dir: string, port: number): string {
  const tmp = join(dir, 'tmp');
  return `daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  include ${dir}/upstream.conf;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_next_upstream error timeout http_502;
      proxy_connect_timeout 2s;
    }
  }
}
`;
}

function spawnChild(t: ExecutionContext, file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; output: () => string } {
  const child = spawn(file, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  t.teardown(async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(child.pid, 'SIGTERM');
    const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  });
  return { child, output: () => output };
}

function execOnce(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

/**
 * One GET through nginx on a connection of its own: a reload closes nginx's idle keep-alive
 * connections, and a request a client sends on one just as it closes fails on the client's side,
 * not nginx's (nginx keeps its listening socket across reloads, so a new connection is answered).
 */
function getOnce(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = httpGet({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim() }));
      res.on('error', (err) => resolve({ status: 0, body: String(err) }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', (err) => resolve({ status: 0, body: String(err) }));
  });
}

/** `count` GETs through nginx: the bodies and statuses. */
async function sample(port: number, count: number): Promise<Array<{ status: number; body: string }>> {
  const out: Array<{ status: number; body: string }> = [];
  for (let i = 0; i < count; i++) out.push(await getOnce(port));
  return out;
}

dockerTest(
  'nginx reaches every live container and never a stopped one, through registrator and concord template',
  async (t) => {
    ensureTestImages();
    const dir = mkdtempSync(join(tmpdir(), 'concord-pipeline-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'tmp'));
    const agent = await startDevAgent(t);
    const sidecar = await startSidecar(t, agent);
    const env: NodeJS.ProcessEnv = { ...process.env, CONSUL_HTTP_ADDR: agent.httpAddr };
    delete env.CONCORD_HTTP_ADDR;

    // Each container serves its own name, so a response tells which one answered.
    const startWeb = async (name: string): Promise<void> => {
      const www = join(dir, name);
      mkdirSync(www);
      writeFileSync(join(www, 'index.html'), `${name}\n`);
      await run(t, sidecar, name, ['-e', 'SERVICE_NAME=pipeline-web', '-v', `${www}:/www:ro`, '-p', '127.0.0.1::80', imageRef('nginx')]);
    };
    const names = [uniqueName('web-a'), uniqueName('web-b'), uniqueName('web-c')] as const;
    await startWeb(names[0]);
    await startWeb(names[1]);

    const port = await freePort();
    writeFileSync(join(dir, 'upstream.ctmpl'), UPSTREAM_TEMPLATE);
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, port));
    const upstream = join(dir, 'upstream.conf');
    const spec = `${join(dir, 'upstream.ctmpl')}:${upstream}`;
    const first = await execOnce(process.execPath, [BIN, 'template', '-once', '-template', spec], env);
    t.is(first.code, 0, first.out);

    const nginx = spawnChild(t, NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')]);
    await within(20_000, 'nginx listening', async () => (await sample(port, 1))[0]?.status !== 0);
    const reload = `${NGINX} -p ${dir} -c ${join(dir, 'nginx.conf')} -s reload`;
    const renderer = spawnChild(t, process.execPath, [BIN, 'template', '-template', `${spec}:${reload}`, '-log-level', 'info'], env);

    const servedBy = async (expected: readonly string[]): Promise<void> => {
      const want = [...expected].sort().join(',');
      await within(60_000, `nginx serving ${want}`, async () => {
        const got = await sample(port, expected.length * 6);
        const bodies = [...new Set(got.map((r) => r.body))].sort().join(',');
        return got.every((r) => r.status === 200) && bodies === want;
      }).catch((err: unknown) => {
        throw new Error(`${String(err)}\nupstream.conf:\n${readFileSync(upstream, 'utf8')}\ntemplate:\n${renderer.output()}\nnginx:\n${nginx.output()}`);
      });
      // Once converged, every request is answered, and only by live containers.
      const settled = await sample(port, expected.length * 10);
      t.deepEqual(
        settled.filter((r) => r.status !== 200),
        [],
        'no failed requests',
      );
      t.deepEqual([...new Set(settled.map((r) => r.body))].sort(), [...expected].sort());
    };

    await servedBy([names[0], names[1]]);
    await startWeb(names[2]);
    await servedBy(names);
    await docker(['stop', '-t', '1', names[1]]);
    await servedBy([names[0], names[2]]);
    t.false(readFileSync(upstream, 'utf8').includes('down;'));
    await docker(['stop', '-t', '1', names[0]]);
    await docker(['stop', '-t', '1', names[2]]);
    await within(60_000, 'empty upstream rendered', async () => readFileSync(upstream, 'utf8').includes('server 127.0.0.1:1 down;'));
    t.regex(renderer.output(), /rendered/);
  },
  { serial: true },
);
