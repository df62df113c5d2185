import test from 'ava';
import { compileTemplate, TemplateError } from '../src/tags-template.js';

const data = {
  Id: 'e20f9c1a76565d62ae24a3bb877b17b862b6eab94f4e95a0e07ccf25087aaf4f',
  Name: '/web1',
  Config: {
    Hostname: 'e20f9c1a7656',
    Env: ['ENVIRONMENT=test', 'SERVICE_8105_NAME=foo', 'HOME=/home/foobar'],
    Labels: { 'com.amazonaws.ecs.task-arn': 'arn:aws:ecs:region:1:task/368f4403' },
  },
};
const render = (src: string, fetchText?: (url: string) => Promise<string>) => compileTemplate(src, fetchText).render(data);

test('plain text and fields, matched case-insensitively (.ID finds Id)', async (t) => {
  t.is(await render('dc1,static'), 'dc1,static');
  t.is(await render('host-{{.Config.Hostname}}'), 'host-e20f9c1a7656');
  t.is(await render('{{ strSlice .ID 0 12 }}'), 'e20f9c1a7656');
});

test('registrator helpers and pipes', async (t) => {
  t.is(await render('{{ sIndex 0 .Config.Env }}'), 'ENVIRONMENT=test');
  t.is(await render('{{ sIndex -1 .Config.Env }}'), 'HOME=/home/foobar');
  t.is(await render('{{ mIndex "com.amazonaws.ecs.task-arn" .Config.Labels | splitIndex -1 "/" }}'), '368f4403');
  t.is(await render('{{ toUpper "foo" }},{{ toLower "FoO" }}'), 'FOO,foo');
  t.is(await render('{{ replace -1 "=" "" "=foo=" }}'), 'foo');
  t.is(await render('{{ join "," (split "/" "a/b/c") }}'), 'a,b,c');
  t.is(await render('{{ matchFirstElement "^SERVICE_" .Config.Env }}'), 'SERVICE_8105_NAME=foo');
  t.is(await render('{{ matchAllElements "^(HOME|ENV)" .Config.Env | join "," }}'), 'ENVIRONMENT=test,HOME=/home/foobar');
  t.is(await render('{{- " a " -}} b'), ' a b');
});

test('httpGet and jsonParse', async (t) => {
  const fetched: string[] = [];
  const fetchText = async (url: string) => {
    fetched.push(url);
    return '{"Additional":{"Country":"United States"}}';
  };
  t.is(await render('{{ jsonParse (httpGet "http://meta/all") "Additional::Country" }}', fetchText), 'United States');
  t.deepEqual(fetched, ['http://meta/all']);
});

test('bad templates fail when compiled', (t) => {
  t.throws(() => compileTemplate('{{ .Name'), { instanceOf: TemplateError });
  t.throws(() => compileTemplate('{{ nosuch .Name }}'), { instanceOf: TemplateError, message: /not defined/ });
  t.throws(() => compileTemplate('{{ end }}'), { instanceOf: TemplateError, message: /unexpected {{end}}/ });
});

test('a helper given the wrong type fails when rendered', async (t) => {
  await t.throwsAsync(render('{{ strSlice .Config.Env 0 1 }}'), { instanceOf: TemplateError });
});

test('control structures and variables of Go templates work in -tags', async (t) => {
  t.is(await render('{{ range $i, $e := .Config.Env }}{{ if $i }},{{ end }}{{ index (split "=" $e) 0 }}{{ end }}'), 'ENVIRONMENT,SERVICE_8105_NAME,HOME');
  t.is(await render('{{ with .Config.Labels }}{{ len . }}{{ else }}none{{ end }}'), '1');
});
