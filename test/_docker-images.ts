/**
 * Small test images built locally from a static busybox (no registry needed).
 * Images are imported once per recipe version, under a lock file, so test
 * files running in parallel neither race nor import twice. No test framework
 * here: benchmarks use it too.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => spawnSync('test', ['-x', p]).status === 0);
const APPLETS = ['sh', 'sleep', 'httpd', 'echo', 'cat', 'true', 'false', 'test', 'touch', 'rm', 'ls', 'wget', 'kill'];

/** `sh` as PID 1 that ends with status 143 on SIGTERM, as a process killed by it would. */
const serve = (ports: string) => `trap 'exit 143' TERM; for p in ${ports}; do httpd -f -p $p -h /www & done; wait`;

/** The test images: the name after the last `/` is what registrator names services by. */
const RECIPES = {
  /** No exposed port; runs what it is given. */
  busybox: ['CMD ["/bin/sh", "-c", "trap \'exit 143\' TERM; sleep 86400 & wait"]'],
  /** HTTP on 80 and 443, both exposed. */
  nginx: ['EXPOSE 80 443', `CMD ["/bin/sh", "-c", "${serve('80 443')}"]`],
  /** HTTP on 6379, exposed (stands in for a server that -P publishes). */
  redis: ['EXPOSE 6379', `CMD ["/bin/sh", "-c", "${serve('6379')}"]`],
  /** Exposes 9999 but serves HTTP on $PORT0, as a Marathon host-network task does. */
  hostapp: ['EXPOSE 9999', `CMD ["/bin/sh", "-c", "${serve('$PORT0')}"]`],
} as const;

export type TestImage = keyof typeof RECIPES;

const VERSION = createHash('sha256')
  .update(JSON.stringify([RECIPES, APPLETS]))
  .digest('hex')
  .slice(0, 12);

/** The full reference of a test image, e.g. `concord-test/nginx:1a2b3c4d5e6f`. */
export function imageRef(image: TestImage): string {
  return `concord-test/${image}:${VERSION}`;
}

/** Imports every test image that is missing. Safe to call from parallel test files. */
export function ensureTestImages(): void {
  const missing = () => (Object.keys(RECIPES) as TestImage[]).filter((i) => !imageExists(i));
  if (missing().length === 0) return;
  withLock(join(tmpdir(), 'concord-test-images.lock'), () => {
    const todo = missing();
    if (todo.length === 0) return;
    if (!BUSYBOX) throw new Error('a static busybox is needed to build the test images (Debian package busybox-static)');
    const root = mkdtempSync(join(tmpdir(), 'concord-rootfs-'));
    const tar = `${root}.tar`;
    try {
      for (const dir of ['bin', 'tmp', 'www']) mkdirSync(join(root, dir));
      copyFileSync(BUSYBOX, join(root, 'bin', 'busybox'));
      for (const applet of APPLETS) symlinkSync('busybox', join(root, 'bin', applet));
      writeFileSync(join(root, 'www', 'index.html'), 'ok\n');
      execFileSync('tar', ['-C', root, '-cf', tar, '.']);
      for (const image of todo) {
        const changes = RECIPES[image].flatMap((c) => ['--change', c]);
        execFileSync('docker', ['import', ...changes, tar, imageRef(image)], { stdio: 'ignore' });
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(tar, { force: true });
    }
  });
}

function imageExists(image: TestImage): boolean {
  return spawnSync('docker', ['image', 'inspect', imageRef(image)], { stdio: 'ignore' }).status === 0;
}

/** Runs `fn` holding an exclusive lock file; a lock older than two minutes is taken as abandoned. */
function withLock(path: string, fn: () => void): void {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      closeSync(openSync(path, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(path).mtimeMs > 120_000) rmSync(path, { force: true });
      } catch {
        // removed by its holder meanwhile
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${path}`);
      spawnSync('sleep', ['0.2']);
    }
  }
  try {
    fn();
  } finally {
    rmSync(path, { force: true });
  }
}
