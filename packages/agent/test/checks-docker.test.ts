import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { putOk, startTestAgent, waitForStatus } from './_local-helpers.js';

const IMAGE = 'concord-test-busybox:local';
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => spawnSync('test', ['-x', p]).status === 0);
const dockerUp = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
const inCi = process.env.CI === 'true';

/** Builds a tiny image from a static busybox without pulling anything. */
function ensureImage(): void {
  if (spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status === 0) return;
  if (!BUSYBOX) throw new Error('a static busybox is needed (Debian package busybox-static)');
  const root = mkdtempSync(join(tmpdir(), 'concord-rootfs-'));
  try {
    mkdirSync(join(root, 'bin'));
    copyFileSync(BUSYBOX, join(root, 'bin', 'busybox'));
    for (const tool of ['sh', 'sleep', 'echo', 'cat', 'test']) symlinkSync('busybox', join(root, 'bin', tool));
    mkdirSync(join(root, 'tmp'));
    const tar = join(tmpdir(), `concord-rootfs-${process.pid}.tar`);
    execFileSync('tar', ['-C', root, '-cf', tar, '.']);
    execFileSync('docker', ['import', tar, IMAGE], { stdio: 'ignore' });
    rmSync(tar, { force: true });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function container(t: ExecutionContext): string {
  const name = `concord-check-${process.pid}-${Date.now().toString(36)}`;
  execFileSync('docker', ['run', '-d', '--name', name, '--network', 'none', IMAGE, '/bin/sleep', '120'], { stdio: 'ignore' });
  t.teardown(() => void spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' }));
  return name;
}

if (!dockerUp && !inCi) {
  test.skip('a Docker check runs its command inside the container (Docker is not available here)', () => {});
} else {
  test('a Docker check runs its command inside the container', async (t) => {
    t.true(dockerUp, 'Docker must be available when CI=true');
    if (!dockerUp) return;
    ensureImage();
    const name = container(t);
    const { base } = await startTestAgent(t, { extraArgs: ['-enable-script-checks'] });
    await putOk(t, base, '/v1/agent/service/register', {
      Name: 'boxed',
      Checks: [
        { CheckID: 'args', DockerContainerID: name, Args: ['/bin/sh', '-c', 'cat /tmp/code 2>/dev/null; exit $(cat /tmp/code 2>/dev/null || echo 0)'], Interval: '300ms' },
        { CheckID: 'shell', DockerContainerID: name, Shell: '/bin/sh', Args: ['/bin/echo', 'hello from the box'], Interval: '300ms' },
      ],
    });
    let c = await waitForStatus(base, 'boxed', 'shell', 'passing', 3000);
    t.is(c?.Output, 'hello from the box\n');
    t.is((await waitForStatus(base, 'boxed', 'args', 'passing', 3000))?.Status, 'passing');
    execFileSync('docker', ['exec', name, '/bin/sh', '-c', 'echo 1 > /tmp/code']);
    c = await waitForStatus(base, 'boxed', 'args', 'warning', 3000);
    t.is(c?.Output, '1\n');
    execFileSync('docker', ['exec', name, '/bin/sh', '-c', 'echo 2 > /tmp/code']);
    t.is((await waitForStatus(base, 'boxed', 'args', 'critical', 3000))?.Status, 'critical');
    spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    c = await waitForStatus(base, 'boxed', 'shell', 'critical', 3000);
    t.regex(c?.Output ?? '', /No such container|404/i);
  });
}
