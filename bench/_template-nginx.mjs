// Part (a) of `npm run bench -- template`: `docker run` → the first request through nginx that the
// new container answers. A dev agent, the sidecar (in process, limited to this run's containers
// by a label), `concord template` rendering nginx's upstream with `nginx -s reload`, and Debian's
// nginx on an ephemeral port; containers are started one after another, each serving its own
// name, and each is timed from `docker run -d` returning to nginx answering with that name.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { children, concordBin, root, startChild, stop } from './_http-load.mjs';

const NGINX = '/usr/sbin/nginx';
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

function docker(args) {
  return new Promise((resolve, reject) => {
    execFile('docker', args, { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`docker ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout.trim()),
    );
  });
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function get(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return (await res.text()).trim();
  } catch {
    return '';
  }
}

/** Runs part (a); resolves the latencies in ms, sorted. */
export async function dockerToNginx(count) {
  const { ensureTestImages, imageRef } = await import(pathToFileURL(join(root, 'test', 'dist', '_docker-images.js')).href);
  const require = createRequire(join(root, 'packages', 'registrator', 'package.json'));
  const { Registrator } = await import(pathToFileURL(require.resolve('@concord/registrator')).href);
  const { pino } = await import(pathToFileURL(require.resolve('pino')).href);
  ensureTestImages();
  const dir = mkdtempSync(join(tmpdir(), 'concord-bench-nginx-'));
  mkdirSync(join(dir, 'tmp'));
  const label = `concord.bench=${process.pid}`;
  const names = [];
  let sidecar;
  let nginx;
  let renderer;
  const agent = await startChild(
    process.execPath,
    [concordBin, 'agent', '-dev', '-node', 'bench-nginx', '-http-port', '0', '-dns-port', '-1', '-server-port', '0', '-serf-lan-port', '0', '-log-level', 'warn'],
    (out) => /Client Addr: .*\(HTTP: (\d+)/.exec(out)?.[1],
  );
  const addr = `127.0.0.1:${agent.value}`;
  try {
    sidecar = await Registrator.start(
      { registry: { kind: 'consul', address: addr }, ip: '127.0.0.1', hostname: 'bench-host', retryInterval: 500, requireLabel: label },
      { logger: pino({ level: 'silent' }) },
    );
    const port = await freePort();
    const tmp = join(dir, 'tmp');
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon off; master_process on; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path ${tmp}/b; proxy_temp_path ${tmp}/p; fastcgi_temp_path ${tmp}/f; uwsgi_temp_path ${tmp}/u; scgi_temp_path ${tmp}/s;
  include ${dir}/upstream.conf;
  server { listen 127.0.0.1:${port}; location / { proxy_pass http://app; proxy_next_upstream error timeout http_502; proxy_connect_timeout 1s; } } }
`,
    );
    writeFileSync(
      join(dir, 'up.ctmpl'),
      'upstream app {\n{{- range service "bench-web" }}\n  server {{ .Address }}:{{ .Port }} max_fails=3 fail_timeout=90;\n{{- else }}\n  server 127.0.0.1:1 down;\n{{- end }}\n}\n',
    );
    writeFileSync(join(dir, 'upstream.conf'), 'upstream app { server 127.0.0.1:1 down; }\n');
    nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
    children.add(nginx);
    const reload = `${NGINX} -p ${dir} -c ${join(dir, 'nginx.conf')} -s reload`;
    renderer = await startChild(
      process.execPath,
      [concordBin, 'template', '-consul-addr', addr, '-template', `${join(dir, 'up.ctmpl')}:${join(dir, 'upstream.conf')}:${reload}`, '-log-level', 'info'],
      (out) => (/rendered/.test(out) ? true : undefined),
    );
    const latencies = [];
    for (let i = 0; i < count; i++) {
      const name = `concord-bench-web-${process.pid}-${i}`;
      const www = join(dir, `www-${i}`);
      mkdirSync(www);
      writeFileSync(join(www, 'index.html'), `${name}\n`);
      names.push(name);
      await docker(['run', '-d', '--name', name, '-l', label, '-e', 'SERVICE_NAME=bench-web', '-v', `${www}:/www:ro`, '-p', '127.0.0.1::80', imageRef('nginx')]);
      const started = performance.now();
      for (;;) {
        if ((await get(port)) === name) break;
        if (performance.now() - started > 30_000) throw new Error(`container ${i} not served through nginx within 30 s`);
      }
      latencies.push(performance.now() - started);
    }
    return latencies.sort((a, b) => a - b);
  } finally {
    if (names.length > 0) await docker(['rm', '-f', ...names]).catch(() => undefined);
    await sidecar?.stop();
    if (renderer) await stop(renderer.child);
    if (nginx) await stop(nginx);
    await stop(agent.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

export { quantile };
