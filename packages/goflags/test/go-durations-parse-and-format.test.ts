import test from 'ava';
import { durationFromJson, formatDuration, parseDuration, parseGoDuration } from '../src/index.js';

test('Go duration strings parse to milliseconds', (t) => {
  const cases: [string, number][] = [
    ['10s', 10_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['60000ms', 60_000],
    ['1h', 3_600_000],
    ['2h45m', 9_900_000],
    ['1.5s', 1_500],
    ['1.001s', 1_001],
    ['1.1s', 1_100],
    ['.5s', 500],
    ['1us', 0.001],
    ['1µs', 0.001],
    ['1000000ns', 1],
    ['0', 0],
    ['0s', 0],
    ['-5s', -5_000],
    ['-0', 0],
    ['87600h', 87600 * 3_600_000],
    ['+5s', 5_000],
  ];
  for (const [input, ms] of cases) t.is(parseDuration(input), ms, input);
});

test('malformed durations parse to undefined', (t) => {
  for (const input of ['', '-', '+', 'abc', '10', '5 s', '1d', 's', '10s5', '1e3s', '--5s', '5sec', 'ms']) {
    t.is(parseDuration(input), undefined, input);
  }
});

test('JSON durations accept Go strings and nanosecond numbers', (t) => {
  t.is(durationFromJson('10s'), 10_000);
  t.is(durationFromJson(1e9), 1_000);
  t.is(durationFromJson(0), 0);
  t.is(durationFromJson('bogus'), undefined);
  t.is(durationFromJson(true), undefined);
  t.is(durationFromJson(null), undefined);
  t.is(durationFromJson(Number.NaN), undefined);
});

test('milliseconds format the way Go prints a time.Duration', (t) => {
  const cases: [number, string][] = [
    [0, '0s'],
    [10_000, '10s'],
    [90_000, '1m30s'],
    [3_600_000, '1h0m0s'],
    [86_400_000, '24h0m0s'],
    [500, '500ms'],
    [1_500, '1.5s'],
    [0.5, '500µs'],
    [-5_000, '-5s'],
    [61_000, '1m1s'],
  ];
  for (const [ms, text] of cases) t.is(formatDuration(ms), text, String(ms));
});

test('formatting then parsing gives the same duration back', (t) => {
  for (const ms of [0, 1, 999, 1_000, 1_001, 59_999, 60_000, 3_599_999, 3_600_000, 86_400_000, 123_456_789]) {
    t.is(parseDuration(formatDuration(ms)), ms, String(ms));
  }
});

test('parseGoDuration throws the error Go gives for each kind of malformed duration', (t) => {
  t.is(parseGoDuration('1h30m'), 5_400_000);
  t.throws(() => parseGoDuration('10'), { message: 'time: missing unit in duration "10"' });
  t.throws(() => parseGoDuration('10x'), { message: 'time: unknown unit "x" in duration "10x"' });
  t.throws(() => parseGoDuration(''), { message: 'time: invalid duration ""' });
  t.throws(() => parseGoDuration('-'), { message: 'time: invalid duration "-"' });
});
