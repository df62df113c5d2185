import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { runCli } from '@concord/testkit';
import { sharedAgent, tempDirFor } from './_cli.js';

const shared = sharedAgent(test, async (api) => {
  await api.agent.serviceRegister({ ID: 'web1', Name: 'web', Port: 8001, Tags: ['v1', 'prod'], Meta: { zone: 'a' } });
  await api.agent.serviceRegister({ ID: 'web2', Name: 'web', Address: '10.0.0.2', Port: 8002, Tags: ['v2'], Meta: { zone: 'b' } });
  await api.agent.serviceRegister({ ID: 'db1', Name: 'db', Port: 5432, Check: { CheckID: 'db-ttl', Name: 'db ttl', TTL: '10m' } });
  await api.kv.put('app/config/name', 'shop');
  await api.kv.put('app/config/db/host', 'db.local');
  await api.kv.put('app/flag', '1');
});

const TEMPLATE = `{{range service "web"}}{{.ID}} {{.Address}}:{{.Port}} {{.Tags}} {{.ServiceMeta.zone}} {{.Status}} {{.Tags.Contains "prod"}}
{{end}}prod: {{range service "prod.web"}}{{.ID}}{{end}}
db: {{len (service "db")}} any: {{len (service "db|any")}} critical: {{range service "db" "critical"}}{{.ID}}={{.Status}}{{end}}
services: {{range services}}{{if ne .Name "consul"}}{{.Name}}{{.Tags}} {{end}}{{end}}
key: {{key "app/flag"}} {{keyOrDefault "app/none" "dflt"}} {{keyExists "app/none"}} {{keyExists "app/flag"}}
ls: {{range ls "app/config"}}{{.Key}}={{.Value}} {{end}}
tree: {{range tree "app/config"}}{{.Key}}={{.Value}} {{end}}
byKey: {{range $k, $pairs := tree "app" | byKey}}{{$k}}[{{range $pairs}}{{.Key}} {{end}}]{{end}}
nodes: {{range nodes}}{{.Node}}{{end}} node: {{with node}}{{.Node.Node}} {{len .Services}}{{end}} dcs: {{datacenters}}
byTag: {{range $t, $s := service "web" | byTag}}{{$t}}:{{len $s}} {{end}}
`;

test('renders service instances, catalog services, KV keys, prefixes, nodes and datacenters as consul-template does', async (t) => {
  const dir = tempDirFor((fn) => t.teardown(fn));
  const src = join(dir, 'in.ctmpl');
  const dest = join(dir, 'out.txt');
  writeFileSync(src, TEMPLATE);
  const r = await runCli(['template', '-once', '-template', `${src}:${dest}`], { addr: shared.agent().httpAddr, timeoutMs: 60_000 });
  t.is(r.code, 0, r.stderr);
  t.is(
    readFileSync(dest, 'utf8'),
    [
      'web1 127.0.0.1:8001 [prod v1] a passing true',
      'web2 10.0.0.2:8002 [v2] b passing false',
      'prod: web1',
      'db: 0 any: 1 critical: db1=critical',
      'services: db[] web[prod v1 v2] ',
      'key: 1 dflt false true',
      'ls: name=shop ',
      'tree: db/host=db.local name=shop ',
      'byKey: config[db/host name ]',
      `nodes: ${shared.agent().node} node: ${shared.agent().node} 4 dcs: [dc1]`,
      'byTag: prod:1 v1:1 v2:1 ',
      '',
    ].join('\n'),
  );
});

test('a key that does not exist holds the render back; -once renders once it is written', async (t) => {
  const dir = tempDirFor((fn) => t.teardown(fn));
  const dest = join(dir, 'out.txt');
  writeFileSync(join(dir, 'in.ctmpl'), 'late={{key "app/late"}}');
  const run = runCli(['template', '-once', '-template', `${join(dir, 'in.ctmpl')}:${dest}`], { addr: shared.agent().httpAddr, timeoutMs: 60_000 });
  await new Promise((r) => setTimeout(r, 1000));
  await shared.api().kv.put('app/late', 'here');
  const r = await run;
  t.is(r.code, 0, r.stderr);
  t.is(readFileSync(dest, 'utf8'), 'late=here');
});
