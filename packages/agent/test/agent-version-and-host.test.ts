import { statfsSync } from 'node:fs';
import * as os from 'node:os';
import test from 'ava';
import { type AgentProcess, call, fileScope, startAgent } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;

test.before(async () => {
  agent = await startAgent(scope);
});

test("/v1/agent/version answers Consul's build info shape with this build's version", async (t) => {
  const r = await call(agent, 'GET', '/v1/agent/version');
  t.is(r.status, 200);
  t.regex(r.headers.get('content-type') ?? '', /application\/json/);
  const v = r.json<Record<string, unknown>>();
  for (const k of ['SHA', 'BuildDate', 'HumanVersion', 'FIPS', 'Revision']) t.is(typeof v[k], 'string', k);
  const self = (await call(agent, 'GET', '/v1/agent/self')).json<{ Config: { Version: string } }>();
  t.is(v.HumanVersion, self.Config.Version);
  t.is((await call(agent, 'PUT', '/v1/agent/version')).status, 405);
});

test("/v1/agent/host reports memory, CPUs, host and disk of this machine in gopsutil's field names", async (t) => {
  const before = Date.now() * 1e6;
  const r = await call(agent, 'GET', '/v1/agent/host');
  t.is(r.status, 200);
  const h = r.json<{
    Memory: { total: number; available: number; used: number; usedPercent: number };
    CPU: { cpu: number; modelName: string; mhz: number; flags: string[] }[];
    Host: { hostname: string; uptime: number; bootTime: number; os: string; kernelVersion: string; kernelArch: string; platform: string };
    Disk: { path: string; total: number; free: number; used: number; usedPercent: number; fstype: string; inodesTotal: number };
    CollectionTime: number;
    Errors: unknown[];
  }>();
  t.deepEqual(h.Errors, []);
  t.true(h.CollectionTime >= before - 1e9 && h.CollectionTime <= Date.now() * 1e6 + 1e9);
  t.is(h.Memory.total, os.totalmem());
  t.true(h.Memory.used > 0 && h.Memory.used < h.Memory.total);
  t.true(h.Memory.usedPercent > 0 && h.Memory.usedPercent < 100);
  t.is(h.CPU.length, os.cpus().length);
  t.deepEqual(
    h.CPU.map((c) => c.cpu),
    os.cpus().map((_, i) => i),
  );
  t.true(h.CPU.every((c) => typeof c.modelName === 'string' && Array.isArray(c.flags)));
  t.is(h.Host.hostname, os.hostname());
  t.is(h.Host.os, process.platform);
  t.is(h.Host.kernelVersion, os.release());
  t.is(h.Host.kernelArch, os.machine());
  t.true(Math.abs(h.Host.bootTime + h.Host.uptime - Date.now() / 1000) < 5);
  const fs = statfsSync('/');
  t.is(h.Disk.path, '/');
  t.is(h.Disk.total, fs.blocks * fs.bsize);
  t.is(h.Disk.inodesTotal, fs.files);
  t.true(h.Disk.used > 0 && h.Disk.usedPercent > 0 && h.Disk.usedPercent <= 100);
  t.not(h.Disk.fstype, '');
});
