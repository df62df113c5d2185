import test from 'ava';
import { Template, TemplateExecError, TemplateParseError } from '../src/index.js';

/**
 * Each expected output is what Go's text/template prints for the same
 * template and data (maps of interface{} values, slices of interface{}).
 */
const data = {
  Name: 'web',
  Port: 8080,
  Zero: 0,
  Empty: '',
  Nil: null,
  Float: 2.5,
  True: true,
  List: ['a', 'b', 'c'],
  Nums: [3, 1, 2],
  EmptyList: [],
  Map: { b: 2, a: 1, c: 3 },
  EmptyMap: {},
  Nested: { Inner: { Value: 'deep' }, List: [{ N: 1 }, { N: 2 }] },
  Mixed: [1, 'x', null, true, 1.5],
};

const cases: ReadonlyArray<readonly [title: string, template: string, expected: string]> = [
  // text, fields, printing
  ['plain text', 'hello', 'hello'],
  ['field', '{{.Name}}:{{.Port}}', 'web:8080'],
  ['nested field', '{{.Nested.Inner.Value}}', 'deep'],
  ['missing map key prints <no value>', '{{.Missing}}', '<no value>'],
  ['field of a missing key is also missing', '{{.Missing.Deeper}}', '<no value>'],
  ['nil prints <nil>', '{{.Nil}}', '<nil>'],
  ['slice prints as [a b c]', '{{.List}}', '[a b c]'],
  ['map prints sorted as map[k:v]', '{{.Map}}', 'map[a:1 b:2 c:3]'],
  ['mixed slice', '{{.Mixed}}', '[1 x <nil> true 1.5]'],
  ['empty slice and map', '{{.EmptyList}} {{.EmptyMap}}', '[] map[]'],
  ['floats use %g', '{{.Float}} {{0.000012}} {{1234567.5}}', '2.5 1.2e-05 1.2345675e+06'],
  ['booleans and constants', "{{true}} {{false}} {{42}} {{-7}} {{0x1F}} {{0o17}} {{0b101}} {{1_000}} {{'a'}}", 'true false 42 -7 31 15 5 1000 97'],
  ['strings and raw strings', '{{"a\\tb\\u00e9"}} {{`raw\\n`}}', 'a\tbé raw\\n'],
  ['dot', '{{.List | len}} {{with .Name}}{{.}}{{end}}', '3 web'],
  // trimming and comments
  ['left and right trim markers', 'a  {{- .Name -}}  \n b', 'awebb'],
  ['trim marker needs a space', '{{3 -}} x', '3x'],
  ['minus number is not a trim marker', '{{-3}}', '-3'],
  ['comment', 'a{{/* a comment */}}b', 'ab'],
  ['trimmed comment', 'a {{- /* c */ -}} b', 'ab'],
  ['multi-line comment', 'a{{/* line1\nline2 */}}b', 'ab'],
  // if / else if / with
  ['if true', '{{if .True}}yes{{end}}', 'yes'],
  ['if zero values are false', '{{if .Zero}}1{{end}}{{if .Empty}}2{{end}}{{if .Nil}}3{{end}}{{if .EmptyList}}4{{end}}{{if .EmptyMap}}5{{end}}{{if .Missing}}6{{end}}', ''],
  ['if else', '{{if .Zero}}a{{else}}b{{end}}', 'b'],
  ['else if chain', '{{if .Zero}}a{{else if .Empty}}b{{else if .Port}}c{{else}}d{{end}}', 'c'],
  ['with sets dot', '{{with .Nested.Inner}}{{.Value}}{{end}}', 'deep'],
  ['with else', '{{with .Empty}}x{{else}}empty{{end}}', 'empty'],
  ['else with', '{{with .Empty}}x{{else with .Name}}{{.}}{{end}}', 'web'],
  // range
  ['range over slice', '{{range .List}}[{{.}}]{{end}}', '[a][b][c]'],
  ['range with index and value', '{{range $i, $v := .List}}{{$i}}={{$v}} {{end}}', '0=a 1=b 2=c '],
  ['range one variable is the element', '{{range $v := .List}}{{$v}}{{end}}', 'abc'],
  ['range over map is in key order', '{{range $k, $v := .Map}}{{$k}}{{$v}}{{end}}', 'a1b2c3'],
  ['range else on empty', '{{range .EmptyList}}x{{else}}none{{end}}', 'none'],
  ['range over missing is empty', '{{range .Missing}}x{{else}}none{{end}}', 'none'],
  ['range over an integer', '{{range 3}}{{.}}{{end}}', '012'],
  ['break and continue', '{{range .Nums}}{{if eq . 1}}{{continue}}{{end}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}}', '3'],
  ['range over structs in a slice', '{{range .Nested.List}}{{.N}}{{end}}', '12'],
  ['$ is the data inside range', '{{range .List}}{{$.Name}}{{end}}', 'webwebweb'],
  // variables
  ['declare and use', '{{$x := .Name}}{{$x}}', 'web'],
  ['assign in an inner scope changes the outer variable', '{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}', '2'],
  ['a variable declared in if ends at end', '{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}', '21'],
  ['variable fields', '{{$n := .Nested}}{{$n.Inner.Value}}', 'deep'],
  ['if with declaration', '{{if $v := .Name}}{{$v}}{{end}}', 'web'],
  // pipelines and parentheses
  ['pipeline passes last argument', '{{.Port | printf "%s-%d" "x" | len}} {{.Name | printf "%s-%d" "x"}}', '6 x-%!d(string=web)'],
  ['parenthesized argument', '{{printf "%d" (len .List)}}', '3'],
  ['field of a parenthesized pipeline', '{{(index .Nested.List 1).N}}', '2'],
  // define / template / block
  ['define and template', '{{define "T"}}<{{.}}>{{end}}{{template "T" .Name}}', '<web>'],
  ['template without data has no dot', '{{define "T"}}[{{.}}]{{end}}{{template "T"}}', '[<no value>]'],
  ['block defines and runs', '{{block "B" .Port}}({{.}}){{end}}', '(8080)'],
  ['recursion through template', '{{define "R"}}{{if .}}{{index . 0}}{{template "R" (slice . 1)}}{{end}}{{end}}{{template "R" .List}}', 'abc'],
  // built-ins
  ['and/or return an argument', '{{and 1 0 2}} {{and 1 2}} {{or 0 "" "x"}} {{or 0 ""}}', '0 2 x '],
  ['and short-circuits', '{{and .Zero (index .List 10)}}', '0'],
  ['or short-circuits', '{{or .Name (index .List 10)}}', 'web'],
  ['not', '{{not 0}} {{not "a"}}', 'true false'],
  ['len counts bytes of strings', '{{len "héllo"}} {{len .Map}} {{len .List}}', '6 3 3'],
  ['index slices and maps', '{{index .List 1}} {{index .Map "c"}} {{index .Nested "Inner" "Value"}}', 'b 3 deep'],
  ['index of a missing map key', '{{index .Map "zz"}}', '<no value>'],
  ['slice', '{{slice .List 1}} {{slice .List 1 2}} {{slice "hello" 1 3}} {{slice .List}}', '[b c] [b] el [a b c]'],
  ['print inserts spaces between non-strings', '{{print 1 2 "a" "b" 3}}', '1 2ab3'],
  ['println', '{{println "a" 1}}', 'a 1\n'],
  [
    'printf verbs',
    '{{printf "%s|%q|%v|%d|%5d|%-5d|%05d|%x|%X|%o|%b|%c|%t" "s" "q" .List 42 42 42 42 255 255 8 5 65 true}}',
    's|"q"|[a b c]|42|   42|42   |00042|ff|FF|10|101|A|true',
  ],
  ['printf floats', '{{printf "%.2f|%6.1f|%e|%g|%.3g|%G" 3.14159 2.25 1234.5678 0.00001234 3.14159 1e-10}}', '3.14|   2.2|1.234568e+03|1.234e-05|3.14|1E-10'],
  ['printf %v of maps and %+d', '{{printf "%v %+d %T %T %T" .Map 5 .Name .Port .List}}', 'map[a:1 b:2 c:3] +5 string int []interface {}'],
  ['printf bad verbs and missing args', '{{printf "%d %s" "x"}}', '%!d(string=x) %!s(MISSING)'],
  ['printf extra args', '{{printf "a" 1 "b"}}', 'a%!(EXTRA int=1, string=b)'],
  ['printf %%', '{{printf "100%%"}}', '100%'],
  ['printf %x of a string', '{{printf "%x % x" "hi" "hi"}}', '6869 68 69'],
  ['eq ne lt le gt ge', '{{eq 1 1}} {{eq "a" "b" "a"}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}}', 'true true true true true true false'],
  ['eq with a missing value is false', '{{eq .Missing "x"}}', 'false'],
  ['html', '{{html "<a href=\\"x\\">&\'</a>"}}', '&lt;a href=&#34;x&#34;&gt;&amp;&#39;&lt;/a&gt;'],
  ['js', '{{js "it\'s \\"x\\" <b>&="}}', 'it\\\'s \\"x\\" \\u003Cb\\u003E\\u0026\\u003D'],
  ['urlquery', '{{urlquery "a b&c=d/é"}}', 'a+b%26c%3Dd%2F%C3%A9'],
  ['html of several args prints them', '{{html 1 "<"}}', '1&lt;'],
  ['call', '{{call .Fn 2 3}}', '5'],
];

for (const [title, source, expected] of cases) {
  test(`renders as Go does: ${title}`, (t) => {
    const tmpl = new Template('t').parse(source);
    t.is(tmpl.execute({ ...data, Fn: (a: number, b: number) => a + b }), expected);
  });
}

const parseErrors: ReadonlyArray<readonly [template: string, message: string]> = [
  ['{{.Name', 'template: t:1: unclosed action'],
  ['{{nosuch 1}}', 'template: t:1: function "nosuch" not defined'],
  ['{{if .X}}', 'template: t:1: unexpected EOF'],
  ['{{end}}', 'template: t:1: unexpected {{end}}'],
  ['{{else}}', 'template: t:1: unexpected {{else}}'],
  ['{{if}}{{end}}', 'template: t:1: missing value for if'],
  ['{{$x}}', 'template: t:1: undefined variable "$x"'],
  ['{{break}}', 'template: t:1: {{break}} outside {{range}}'],
  ['{{.X | 3}}', 'template: t:1: non executable command in pipeline stage 2'],
  ['{{"unterminated}}', 'template: t:1: unterminated quoted string'],
  ['{{/* no end', 'template: t:1: unclosed comment'],
  ['{{/* c */ x}}', 'template: t:1: comment ends before closing delimiter'],
  ['a\nb\n{{template x}}', 'template: t:3: unexpected "x" in template clause'],
  ['{{range $a, $b, $c := .}}{{end}}', 'template: t:1: too many declarations in range'],
  ['{{(1}}', 'template: t:1: unclosed left paren'],
  ['{{3)}}', 'template: t:1: unexpected ")" in command'],
  ['{{3.x}}', 'template: t:1: bad number syntax: "3.x"'],
  ['{{define "a"}}x{{end}}{{define "a"}}y{{end}}', 'template: t:1: template: multiple definition of template "a"'],
];

for (const [source, message] of parseErrors) {
  test(`parse error as Go reports it: ${source.replace(/\n/g, '\\n')}`, (t) => {
    const err = t.throws(() => new Template('t').parse(source), { instanceOf: TemplateParseError });
    t.is(err?.message, message);
  });
}

const execErrors: ReadonlyArray<readonly [template: string, message: string]> = [
  ['{{.Port.X}}', 'template: t:1:7: executing "t" at <.Port.X>: can\'t evaluate field X in type int'],
  ['{{index .List 5}}', 'template: t:1:2: executing "t" at <index .List 5>: error calling index: index out of range: 5'],
  ['{{index .List "a"}}', 'template: t:1:2: executing "t" at <index .List "a">: error calling index: cannot index slice/array with type string'],
  ['{{len 3}}', 'template: t:1:2: executing "t" at <len 3>: error calling len: len of type int'],
  ['{{eq 1 "a"}}', 'template: t:1:2: executing "t" at <eq 1 "a">: error calling eq: incompatible types for comparison'],
  ['{{lt true false}}', 'template: t:1:2: executing "t" at <lt true false>: error calling lt: invalid type for comparison'],
  ['{{not 1 2}}', 'template: t:1:2: executing "t" at <not>: wrong number of args for not: want 1 got 2'],
  ['{{.Nil.X}}', 'template: t:1:6: executing "t" at <.Nil.X>: nil pointer evaluating interface {}.X'],
  ['{{nil}}', 'template: t:1:2: executing "t" at <nil>: nil is not a command'],
  ['{{.Name 1}}', 'template: t:1:2: executing "t" at <.Name>: Name is not a method but has arguments'],
  ['{{1 | .Name}}', 'template: t:1:6: executing "t" at <.Name>: Name is not a method but has arguments'],
  ['{{template "nope"}}', 'template: t:1:11: executing "t" at <{{template "nope"}}>: template "nope" not defined'],
  ['{{range true}}{{end}}', 'template: t:1:8: executing "t" at <true>: range can\'t iterate over true'],
  ['{{slice .List 2 1}}', 'template: t:1:2: executing "t" at <slice .List 2 1>: error calling slice: invalid slice index: 2 > 1'],
  ['line1\n  {{.Port.X}}', 'template: t:2:9: executing "t" at <.Port.X>: can\'t evaluate field X in type int'],
  ['{{define "T"}}{{template "T"}}{{end}}{{template "T"}}', 'exceeded maximum template depth (1000)'],
];

for (const [source, message] of execErrors) {
  test(`execution error as Go reports it: ${source.replace(/\n/g, '\\n')}`, (t) => {
    const tmpl = new Template('t').parse(source);
    const err = t.throws(() => tmpl.execute(data), { instanceOf: TemplateExecError });
    if (message.startsWith('template:')) t.is(err?.message, message);
    else t.true(err?.message.endsWith(message), err?.message);
  });
}

test('missingkey=error fails on a missing map key', (t) => {
  const tmpl = new Template('t').option('missingkey=error').parse('{{.Name}}{{.Missing}}');
  const err = t.throws(() => tmpl.execute(data), { instanceOf: TemplateExecError });
  t.is(err?.message, 'template: t:1:11: executing "t" at <.Missing>: map has no entry for key "Missing"');
});

test('custom delimiters', (t) => {
  const tmpl = new Template('t', { leftDelim: '[[', rightDelim: ']]' }).parse('{{.Name}} [[.Name]] [[- " x" -]] ]');
  t.is(tmpl.execute(data), '{{.Name}} web x]');
});

test('custom functions, methods on objects, and errors they throw', (t) => {
  class Tags extends Array<string> {
    Contains(tag: string): boolean {
      return this.includes(tag);
    }
  }
  const tmpl = new Template('t', {
    funcs: {
      upper: (s: string) => s.toUpperCase(),
      fail: () => {
        throw new Error('boom');
      },
    },
  });
  tmpl.parse('{{.Name | upper}} {{.Tags.Contains "b"}} {{.Tags.Contains "z"}}');
  t.is(tmpl.execute({ Name: 'web', Tags: Tags.from(['a', 'b']) }), 'WEB true false');
  const failing = new Template('f', {
    funcs: {
      fail: () => {
        throw new Error('boom');
      },
    },
  }).parse('{{fail}}');
  t.is(t.throws(() => failing.execute({}))?.message, 'template: f:1:2: executing "f" at <fail>: error calling fail: boom');
});

test('templates defined by one parse are called from another', (t) => {
  const tmpl = new Template('main').parse('{{define "row"}}{{.}};{{end}}');
  tmpl.parse('{{range .}}{{template "row" .}}{{end}}');
  t.is(tmpl.execute(['a', 'b']), 'a;b;');
  t.is(tmpl.executeTemplate('row', 'x'), 'x;');
  t.deepEqual(tmpl.definedTemplates(), ['main', 'row']);
  t.throws(() => tmpl.executeTemplate('nope', 1), { message: 'template: no template "nope" associated with template "main"' });
});
