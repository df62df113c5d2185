import test from 'ava';
import { formatReport, reportPassed, runScenario } from '../src/sim/index.js';

// The CI matrix: every killed member detected by all, every join learned by all,
// and no live member ever marked failed on a loss-free network.
for (const nodes of [10, 100, 500]) {
  for (const loss of [0, 0.05]) {
    test(`with ${nodes} members and ${loss * 100}% loss every kill is detected and every join learned`, (t) => {
      const report = runScenario({ nodes, loss, seed: nodes * 7 + Math.round(loss * 100) });
      t.log(formatReport(report).at(-1));
      for (const k of report.kills) {
        t.not(k.allDeadMs, undefined, `${k.name} was not marked failed by every live member`);
        t.not(k.firstSuspectMs, undefined);
      }
      for (const j of report.joins) t.not(j.allKnowMs, undefined, `${j.name} was not learned by every member`);
      if (loss === 0) t.deepEqual(report.falsePositives, []);
      else t.true(report.falsePositives.length <= Math.ceil(nodes / 100), `false positives: ${report.falsePositives.join(',')}`);
      if (loss === 0) t.true(reportPassed(report));
    });
  }
}
