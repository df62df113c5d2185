import test from 'ava';
import { suspicionTimeout, wanConfig } from '../src/index.js';
import { formatReport, reportPassed, runScenario, type ScenarioReport } from '../src/sim/index.js';

// Consul's WAN pool: the servers of every datacenter in one pool on memberlist's DefaultWANConfig.
const DATACENTERS = 10;
const SERVERS_PER_DC = 3;
const N = DATACENTERS * SERVERS_PER_DC;

function federation(seed: number, loss: number): ScenarioReport {
  return runScenario({ nodes: N, datacenters: DATACENTERS, loss, seed, config: 'wan', kills: 3, joins: 2 });
}

test('the wan profile is memberlist DefaultWANConfig', (t) => {
  t.like(wanConfig, {
    probeIntervalMs: 5000,
    probeTimeoutMs: 3000,
    suspicionMult: 6,
    suspicionMaxTimeoutMult: 6,
    gossipNodes: 4,
    gossipIntervalMs: 500,
    gossipToTheDeadMs: 60_000,
    pushPullIntervalMs: 60_000,
    tcpTimeoutMs: 30_000,
    indirectChecks: 3,
    retransmitMult: 4,
  });
});

for (const seed of [1, 2, 3, 4]) {
  test(`10 datacenters of 3 servers on the WAN profile with 5% loss converge and detect every failure within memberlist's bounds (seed ${seed})`, (t) => {
    const r = federation(seed, 0.05);
    t.log(formatReport(r).at(-1));
    t.is(r.datacenters, DATACENTERS);
    t.true(reportPassed(r), formatReport(r).join('\n'));
    t.true(r.converged);
    t.deepEqual(r.falsePositives, []);
    t.true(r.packetsDropped > 0, 'the network lost packets');
    const min = suspicionTimeout(wanConfig.suspicionMult, N, wanConfig.probeIntervalMs);
    const max = wanConfig.suspicionMaxTimeoutMult * min;
    // Every live member probes every other within one shuffled round of N − 1 probes, so some
    // member probes the victim within two rounds; a probe fails after its timeout.
    const firstProbeBound = 2 * N * wanConfig.probeIntervalMs + wanConfig.probeTimeoutMs;
    // A dead message reaches everyone within its retransmit budget of gossip rounds.
    const spreadBound = 20 * wanConfig.gossipIntervalMs;
    for (const k of r.kills) {
      t.not(k.firstSuspectMs, undefined, k.name);
      t.not(k.allDeadMs, undefined, k.name);
      const suspect = k.firstSuspectMs as number;
      const dead = k.allDeadMs as number;
      t.true(suspect <= firstProbeBound, `${k.name}: first suspect after ${suspect} ms`);
      // No member declares a suspect dead before the minimum suspicion timeout, nor keeps it
      // suspect past the maximum.
      t.true(dead - suspect >= min, `${k.name}: failed by all ${dead - suspect} ms after the first suspicion (min ${min})`);
      t.true(dead - suspect <= max + spreadBound, `${k.name}: failed by all ${dead - suspect} ms after the first suspicion (max ${max})`);
    }
    for (const j of r.joins) {
      t.not(j.allKnowMs, undefined, j.name);
      t.true((j.allKnowMs as number) <= wanConfig.pushPullIntervalMs, `${j.name} known by all after ${j.allKnowMs} ms`);
    }
  });
}

test('a WAN federation run replays exactly from its seed', (t) => {
  const a = federation(7, 0.05);
  const b = federation(7, 0.05);
  t.deepEqual(a, b);
  t.notDeepEqual(a.kills, federation(8, 0.05).kills);
});

test('datacenters is bounded and at most the member count', (t) => {
  t.throws(() => runScenario({ nodes: 5, datacenters: 6, loss: 0, seed: 1 }), { code: 'GOSSIP_CONFIG' } as never);
  t.throws(() => runScenario({ nodes: 500, datacenters: 101, loss: 0, seed: 1 }), { code: 'GOSSIP_CONFIG' } as never);
  t.throws(() => runScenario({ nodes: 10, datacenters: 1.5, loss: 0, seed: 1 }), { code: 'GOSSIP_CONFIG' } as never);
});
