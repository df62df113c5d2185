import test from 'ava';
import { type SchedulerClock, schedule } from '../src/checks/scheduler.js';
import type { CheckResult, Probe } from '../src/checks/types.js';

/** A clock whose timers fire only when the test advances it. */
class FakeClock implements SchedulerClock {
  #now = 0;
  #seq = 0;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Moves time to `to`, firing due timers in order and letting their promise chains settle. */
  async advanceTo(to: number): Promise<void> {
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers) if (entry[1].at <= to && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.#timers.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].at);
      next[1].fn();
      await new Promise((r) => setImmediate(r));
    }
    this.#now = to;
  }

  /** Stalls the process: time jumps to `to` and only then do the due timers fire. */
  async stallUntil(to: number): Promise<void> {
    this.#now = to;
    await this.advanceTo(to);
  }
}

const PASS: CheckResult = { status: 'passing', output: 'ok' };

/** A probe that records when each run starts and ends, each run taking `durationMs(n)`. */
function recordingProbe(clock: FakeClock, durationMs: (n: number) => number) {
  const runs: { start: number; end?: number }[] = [];
  const probe: Probe = () =>
    new Promise((resolve) => {
      const run: { start: number; end?: number } = { start: clock.now() };
      runs.push(run);
      clock.setTimeout(() => {
        run.end = clock.now();
        resolve(PASS);
      }, durationMs(runs.length));
    });
  return { runs, probe };
}

function start(clock: FakeClock, probe: Probe, random: number) {
  return schedule(probe, {
    intervalMs: 10_000,
    timeoutMs: 60_000,
    outputMaxSize: 4096,
    successBeforePassing: 0,
    failuresBeforeWarning: 0,
    failuresBeforeCritical: 0,
    report: () => {},
    random: () => random,
    clock,
  });
}

/** Runs one check on a fresh clock until `untilMs` and returns its runs. */
async function runOne(durationMs: (n: number) => number, random: number, untilMs: number) {
  const clock = new FakeClock();
  const { runs, probe } = recordingProbe(clock, durationMs);
  const runner = start(clock, probe, random);
  await clock.advanceTo(untilMs);
  runner.stop();
  return runs;
}

test('the first run waits its stagger, later runs keep that phase whatever each run takes', async (t) => {
  const runs = await runOne((n) => (n === 1 ? 300 : 1200), 0.25, 42_000);
  t.deepEqual(
    runs.map((r) => r.start),
    [2_500, 12_500, 22_500, 32_500],
  );
});

test('a run never overlaps the previous one: slots that pass during a long run are skipped', async (t) => {
  const runs = await runOne((n) => (n === 1 ? 25_000 : 100), 0, 50_000);
  t.deepEqual(
    runs.map((r) => r.start),
    [0, 30_000, 40_000, 50_000],
  );
  for (let i = 1; i < runs.length; i++) t.true((runs[i - 1]?.end ?? Infinity) <= (runs[i]?.start ?? 0));
});

test('after a stall, checks go back to their own phases instead of staying bunched together', async (t) => {
  const clock = new FakeClock();
  const checks = [0.1, 0.5, 0.9].map((phase) => {
    const rec = recordingProbe(clock, () => 50);
    return { ...rec, runner: start(clock, rec.probe, phase) };
  });
  await clock.advanceTo(10_000);
  // Nothing runs from 10 s to 29.95 s; then every check is late and runs at once.
  await clock.stallUntil(29_950);
  await clock.advanceTo(60_000);
  for (const c of checks) c.runner.stop();
  const starts = checks.map((c) => c.runs.map((r) => r.start));
  t.deepEqual(starts, [
    [1_000, 29_950, 31_000, 41_000, 51_000],
    [5_000, 29_950, 35_000, 45_000, 55_000],
    [9_000, 29_950, 39_000, 49_000, 59_000],
  ]);
});

test('stop ends the schedule and aborts the run in flight', async (t) => {
  const clock = new FakeClock();
  let aborted = false;
  let starts = 0;
  const probe: Probe = ({ signal }) =>
    new Promise((resolve) => {
      starts++;
      signal.addEventListener('abort', () => {
        aborted = true;
        resolve({ status: 'critical', output: 'aborted' });
      });
    });
  const runner = start(clock, probe, 0.5);
  await clock.advanceTo(5_000);
  t.is(starts, 1);
  runner.stop();
  await clock.advanceTo(100_000);
  t.true(aborted);
  t.is(starts, 1);
});
