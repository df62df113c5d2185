import test from 'ava';
import { type Dependency, TemplateUnit } from '../src/index.js';

const noData = { lookup: (_dep: Dependency) => ({ ok: false }) };

function render(contents: string, env: NodeJS.ProcessEnv = {}): string {
  const unit = new TemplateUnit({ contents, destination: '/dev/null', commandTimeoutMs: 1000, backup: false, errorOnMissingKey: false, createDestDirs: false }, env);
  return unit.render(noData).output;
}

/** Outputs as consul-template's templating-language documentation gives them. */
const cases: ReadonlyArray<readonly [string, string]> = [
  ['{{ "a,b,c" | split "," | join ";" }}', 'a;b;c'],
  ['{{ "hello world" | toTitle }} {{ "ABC" | toLower }} {{ "abc" | toUpper }}', 'Hello World abc ABC'],
  ['{{ "  x  " | trimSpace }}|{{ "xxhixx" | trim "x" }}|{{ "prefix-v" | trimPrefix "prefix-" }}|{{ "v.txt" | trimSuffix ".txt" }}', 'x|hi|v|v'],
  ['{{ "a-b-c" | replaceAll "-" "_" }} {{ "foo123" | regexReplaceAll "[0-9]+" "#" }} {{ "v1.2" | regexMatch "^v[0-9]" }}', 'a_b_c foo# true'],
  ['{{ add 1 2 }} {{ subtract 2 5 }} {{ multiply 3 4 }} {{ divide 2 10 }} {{ modulo 3 10 }} {{ minimum 2 5 }} {{ maximum 2 5 }} {{ 5 | subtract 1 }}', '3 3 12 5 1 2 5 4'],
  ['{{ range loop 3 }}{{ . }}{{ end }} {{ range loop 2 5 }}{{ . }}{{ end }}', '012 234'],
  ['{{ "true" | parseBool }} {{ "1.5" | parseFloat }} {{ "-42" | parseInt }} {{ "42" | parseUint }}', 'true 1.5 -42 42'],
  ['{{ with "{\\"b\\":[1,2],\\"a\\":\\"x\\"}" | parseJSON }}{{ .a }} {{ index .b 1 }} {{ toJSON . }}{{ end }}', 'x 2 {"a":"x","b":[1,2]}'],
  ['{{ with "a: 1\\nb: [x, y]\\n" | parseYAML }}{{ .a }} {{ .b }}{{ end }}', '1 [x y]'],
  ['{{ "hi" | base64Encode }} {{ "aGk=" | base64Decode }} {{ "hi" | sha256Hex }}', 'aGk= hi 8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4'],
  ['{{ "a\\nb" | indent 2 }}', '  a\n  b'],
  ['{{ toJSONPretty (parseJSON "{\\"b\\":1,\\"a\\":{\\"c\\":true}}") }}', '{\n  "a": {\n    "c": true\n  },\n  "b": 1\n}'],
  [
    '{{ $l := split "," "a,b" }}{{ contains "b" $l }} {{ in $l "z" }} {{ containsAll $l $l }} {{ containsAny (split "," "z,a") $l }} {{ containsNone (split "," "z") $l }} {{ containsNotAll (split "," "a,z") $l }}',
    'true false true true true true',
  ],
  ['{{ env "GREETING" }}|{{ env "NOPE" }}', 'hola|'],
  [
    '{{ scratch.Set "k" "v" }}{{ scratch.Get "k" }} {{ scratch.Key "k" }} {{ scratch.Key "z" }}{{ scratch.MapSet "m" "b" 2 }}{{ scratch.MapSet "m" "a" 1 }} {{ scratch.MapValues "m" }}',
    'v true false [1 2]',
  ],
  ['{{ with explodeMap (parseJSON "{\\"a/b\\":1,\\"a/c\\":2}") }}{{ .a.b }}{{ .a.c }}{{ end }}', '12'],
  ['{{ define "inner" }}[{{ . }}]{{ end }}{{ executeTemplate "inner" "x" }}', '[x]'],
  ['{{ timestamp "2006" | len }}', '4'],
];

for (const [template, expected] of cases) {
  test(`helper: ${template}`, (t) => {
    t.is(render(template, { GREETING: 'hola' }), expected);
  });
}

test('helpers reject bad input with a template error', (t) => {
  t.throws(() => render('{{ "abc" | parseInt }}'), { message: /error calling parseInt: parseInt: strconv.ParseInt: parsing "abc": invalid syntax/ });
  t.throws(() => render('{{ divide 0 1 }}'), { message: /division by zero/ });
  t.throws(() => render('{{ "%%%" | base64Decode }}'), { message: /illegal base64 data/ });
});
