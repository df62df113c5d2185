import test from 'ava';
import { FlagError, type FlagSpecs, parseGoFlags } from '../src/index.js';

const SPECS: FlagSpecs = {
  server: { kind: 'boolean' },
  'bootstrap-expect': { kind: 'number' },
  join: { kind: 'list', aliases: ['retry-join'] },
  node: { kind: 'string' },
};

test('single and double dashes, = and separate values, aliases and repeated lists', (t) => {
  const parsed = parseGoFlags(['-server', '--bootstrap-expect=3', '-join', 'a', '-retry-join=b', '--node', 'n1', 'rest', '-x'], SPECS);
  t.deepEqual(parsed.values, { server: true, 'bootstrap-expect': 3, join: ['a', 'b'], node: 'n1' });
  t.deepEqual(parsed.positionals, ['rest', '-x']);
});

test('booleans take Go strconv.ParseBool spellings and -- ends the flags', (t) => {
  t.deepEqual(parseGoFlags(['-server=f', '--', '-node'], SPECS), { values: { server: false }, positionals: ['-node'] });
  t.deepEqual(parseGoFlags(['-server=T', '-'], SPECS), { values: { server: true }, positionals: ['-'] });
});

test('bad flags throw FlagError with Go flag package messages', (t) => {
  const cases: [string[], string][] = [
    [['-nope'], 'flag provided but not defined: -nope'],
    [['--node'], 'flag needs an argument: -node'],
    [['-server=maybe'], 'invalid boolean value "maybe" for -server'],
    [['-bootstrap-expect', 'three'], 'invalid value "three" for flag -bootstrap-expect: parse error'],
    [['-bootstrap-expect=1.5'], 'invalid value "1.5" for flag -bootstrap-expect: parse error'],
  ];
  for (const [argv, message] of cases) {
    const err = t.throws(() => parseGoFlags(argv, SPECS), { instanceOf: FlagError, message });
    t.is(err?.code, 'CLI_FLAG');
  }
});
