import test from 'ava';
import { expectedConfirmations, lanConfig, pushPullScale, remainingSuspicionTime, retransmitLimit, suspicionTimeout } from '../src/index.js';

// The table derived from memberlist's util.go and state.go for DefaultLANConfig.
const table = [
  { n: 3, min: 4000, max: 24000, k: 0, retransmits: 4, pushPull: 30000 },
  { n: 10, min: 4000, max: 24000, k: 2, retransmits: 8, pushPull: 30000 },
  { n: 100, min: 8000, max: 48000, k: 2, retransmits: 12, pushPull: 90000 },
  { n: 1000, min: 12000, max: 72000, k: 2, retransmits: 16, pushPull: 180000 },
  { n: 10000, min: 16000, max: 96000, k: 2, retransmits: 20, pushPull: 300000 },
];

for (const row of table) {
  test(`LAN timings at N=${row.n} match memberlist's formulas`, (t) => {
    const min = suspicionTimeout(lanConfig.suspicionMult, row.n, lanConfig.probeIntervalMs);
    t.is(min, row.min);
    t.is(lanConfig.suspicionMaxTimeoutMult * min, row.max);
    t.is(expectedConfirmations(lanConfig.suspicionMult, row.n), row.k);
    t.is(retransmitLimit(lanConfig.retransmitMult, row.n), row.retransmits);
    t.is(pushPullScale(lanConfig.pushPullIntervalMs, row.n), row.pushPull);
  });
}

test('suspicion time shrinks from max to min as confirmations arrive', (t) => {
  const min = 8000;
  const max = 48000;
  t.is(remainingSuspicionTime(0, 2, 0, min, max), max);
  const one = remainingSuspicionTime(1, 2, 0, min, max);
  t.true(one < max && one > min);
  // log(2)/log(3) of the way from max to min.
  t.is(one, Math.floor(max - (Math.log(2) / Math.log(3)) * (max - min)));
  t.is(remainingSuspicionTime(2, 2, 0, min, max), min);
  t.is(remainingSuspicionTime(2, 2, 3000, min, max), min - 3000);
});

test('suspicion timeout never drops below the minimum for small clusters', (t) => {
  t.is(suspicionTimeout(4, 1, 1000), 4000);
  t.is(suspicionTimeout(4, 0, 1000), 4000);
  t.is(suspicionTimeout(4, 50, 1000), Math.floor((4 * Math.floor(Math.log10(50) * 1000) * 1000) / 1000));
});
