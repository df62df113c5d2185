import test from 'ava';
import { runScenario } from '../src/sim/index.js';

test('the same seed replays the same run exactly', (t) => {
  const a = runScenario({ nodes: 40, loss: 0.05, seed: 99 });
  const b = runScenario({ nodes: 40, loss: 0.05, seed: 99 });
  t.deepEqual(a, b);
});

test('a different seed gives a different run', (t) => {
  const a = runScenario({ nodes: 40, loss: 0.05, seed: 1 });
  const b = runScenario({ nodes: 40, loss: 0.05, seed: 2 });
  t.notDeepEqual(a, b);
});

test('the scenario refuses nonsensical parameters with a typed error', (t) => {
  t.throws(() => runScenario({ nodes: 1, loss: 0, seed: 1 }), { code: 'GOSSIP_CONFIG' } as never);
  t.throws(() => runScenario({ nodes: 10, loss: 1, seed: 1 }), { code: 'GOSSIP_CONFIG' } as never);
});
