/**
 * A -dev agent's writes go through a raft-ts node that is the only voter of its cluster (the same
 * propose, commit, apply and snapshot path as a server's), in memory: the log itself, and through
 * HTTP with a snapshot threshold small enough that the log is compacted many times over.
 */
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { LogClosedError } from '../src/log/command-log.js';
import { SingleVoterLog } from '../src/log/single-voter-log.js';
import { call, fileScope, startAgent, tempDir } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));

test('the single-voter log leads once opened, hands back what apply returned, snapshots at the threshold and refuses writes once closed', async (t) => {
  const applied: number[] = [];
  let snapshots = 0;
  let total = 0;
  const log = new SingleVoterLog<{ total: number; at: number }>({ id: 'dev-node', logger: pino({ level: 'silent' }), snapshotThreshold: 5, trailingLogs: 2 });
  await log.open({
    apply: (index, data) => {
      applied.push(index);
      total += data[0] ?? 0;
      return { total, at: index };
    },
    snapshot: () => {
      snapshots++;
      return new Uint8Array([total]);
    },
    restore: () => t.fail('a fresh in-memory node has nothing to restore'),
  });
  t.true(log.isLeader());
  let last = 0;
  for (let i = 1; i <= 20; i++) {
    const p = await log.propose(new Uint8Array([1]));
    t.true(p.index > last, 'each write gets a later index');
    t.deepEqual(p.result, { total: i, at: p.index });
    last = p.index;
  }
  t.true(applied.length >= 20);
  t.true(snapshots >= 3, `snapshots taken: ${snapshots}`);
  await log.close();
  t.false(log.isLeader());
  await t.throwsAsync(log.propose(new Uint8Array([1])), { instanceOf: LogClosedError });
});

test('a -dev agent keeps every write across many log compactions', async (t) => {
  const file = join(tempDir(scope), 'dev.json');
  writeFileSync(file, JSON.stringify({ raft_snapshot_threshold: 8, raft_trailing_logs: 2 }));
  const agent = await startAgent(scope, { extraArgs: ['-config-file', file] });
  let index = 0;
  for (let i = 0; i < 60; i++) {
    const r = await call(agent, 'PUT', `/v1/kv/compact/k${i % 12}`, `v${i}`);
    t.is(r.text, 'true');
  }
  // A check-and-set on an old ModifyIndex fails; on the current one it succeeds.
  const got = await call(agent, 'GET', '/v1/kv/compact/k0');
  const [entry] = got.json<{ ModifyIndex: number; Value: string }[]>();
  t.is(Buffer.from(entry!.Value, 'base64').toString(), 'v48');
  t.is((await call(agent, 'PUT', `/v1/kv/compact/k0?cas=${entry!.ModifyIndex - 1}`, 'stale')).text, 'false');
  t.is((await call(agent, 'PUT', `/v1/kv/compact/k0?cas=${entry!.ModifyIndex}`, 'fresh')).text, 'true');
  const all = await call(agent, 'GET', '/v1/kv/compact/?recurse');
  const entries = all.json<{ Key: string; Value: string; ModifyIndex: number }[]>();
  t.is(entries.length, 12);
  for (const e of entries) {
    const n = Number(e.Key.slice('compact/k'.length));
    const want = n === 0 ? 'fresh' : `v${48 + n}`;
    t.is(Buffer.from(e.Value, 'base64').toString(), want, e.Key);
    index = Math.max(index, e.ModifyIndex);
  }
  t.is(Number(all.headers.get('x-consul-index')), index);
});
