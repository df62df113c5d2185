import test from 'ava';
import { FilterError, compileFilter } from '../src/filter/bexpr.js';

const items = [
  {
    ID: 'a',
    Name: 'web-api',
    Port: 80,
    EnableTagOverride: true,
    Tags: ['v1', 'primary'],
    Meta: { env: 'qa', 'k-1': 'x' },
    Address: '',
    Checks: [{ Status: 'passing' }, { Status: 'critical' }],
  },
  {
    ID: 'b',
    Name: 'web',
    Port: 8080,
    EnableTagOverride: false,
    Tags: ['v2'],
    Meta: { env: 'prod' },
    Address: '10.0.0.2',
    Checks: [{ Status: 'passing' }],
  },
  { ID: 'c', Name: 'db', Port: 5432, EnableTagOverride: false, Tags: [], Meta: {}, Address: '', Checks: [] },
];

const select = (expr: string) => {
  const f = compileFilter(expr);
  return items.filter((x) => f(x)).map((x) => x.ID);
};

test('equality and inequality compare strings, numbers and booleans by their text', (t) => {
  t.deepEqual(select('Name == "web"'), ['b']);
  t.deepEqual(select('Name != "web"'), ['a', 'c']);
  t.deepEqual(select('Port == 8080'), ['b']);
  t.deepEqual(select('EnableTagOverride == true'), ['a']);
  t.deepEqual(select('Meta.env == "qa"'), ['a']);
  t.deepEqual(select('Meta.env == `prod`'), ['b']);
  t.deepEqual(select('Meta["k-1"] == "x"'), ['a']);
});

test('in and contains test list membership, map keys and substrings', (t) => {
  t.deepEqual(select('"v1" in Tags'), ['a']);
  t.deepEqual(select('"v1" not in Tags'), ['b', 'c']);
  t.deepEqual(select('Tags contains "v2"'), ['b']);
  t.deepEqual(select('Tags not contains "v2"'), ['a', 'c']);
  t.deepEqual(select('"env" in Meta'), ['a', 'b']);
  t.deepEqual(select('"api" in Name'), ['a']);
});

test('is empty covers missing fields, empty strings, lists and maps', (t) => {
  t.deepEqual(select('Address is empty'), ['a', 'c']);
  t.deepEqual(select('Address is not empty'), ['b']);
  t.deepEqual(select('Tags is empty'), ['c']);
  t.deepEqual(select('Meta is empty'), ['c']);
  t.deepEqual(select('Nonexistent is empty'), ['a', 'b', 'c']);
});

test('matches applies a regular expression', (t) => {
  t.deepEqual(select('Name matches "^web"'), ['a', 'b']);
  t.deepEqual(select('Name not matches "^web"'), ['c']);
  t.deepEqual(select('Tags matches "^v[0-9]$"'), ['a', 'b']);
});

test('a selector through a list matches any element', (t) => {
  t.deepEqual(select('Checks.Status == "critical"'), ['a']);
  t.deepEqual(select('Checks.Status != "critical"'), ['b', 'c']);
  t.deepEqual(select('"passing" in Checks.Status'), ['a', 'b']);
});

test('not binds tighter than and, and binds tighter than or, parentheses override', (t) => {
  t.deepEqual(select('Name == "db" or Name == "web" and Port == 80'), ['c']);
  t.deepEqual(select('(Name == "db" or Name == "web") and Port == 8080'), ['b']);
  t.deepEqual(select('not Name == "web" and Port == 80'), ['a']);
  t.deepEqual(select('not (Name == "web" or Name == "db")'), ['a']);
  t.deepEqual(select('not not Name == "db"'), ['c']);
  t.deepEqual(select('Name == "web" AND Port == 8080'), ['b'], 'keywords are case-insensitive');
});

test('malformed expressions throw a FilterError with a reason', (t) => {
  for (const expr of [
    '',
    '   ',
    'Name ==',
    'Name === "x"',
    '(Name == "x"',
    'Name == "x")',
    'Name matches "("',
    '"x" in',
    'Name == "x" Port == 80',
    'Name == "unterminated',
    'Name == `unterminated',
    'Name ~ "x"',
    'Name is full',
    'and',
    'Meta[env] == "x"',
  ]) {
    const err = t.throws(() => compileFilter(expr), { instanceOf: FilterError }, expr);
    t.true((err?.message.length ?? 0) > 0, expr);
  }
});
