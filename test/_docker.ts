/**
 * Docker for end-to-end tests: whether a daemon is there, small test images
 * built locally from a static busybox (no registry needed), and containers
 * that are removed by name when the test ends.
 *
 * Images are imported once per recipe version, under a lock file, so test
 * files running in parallel neither race nor import twice.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext, type ImplementationFn } from 'ava';

export const DOCKER_UP = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 15_000 }).status === 0;
const IN_CI = process.env.CI === 'true';

/**
 * Declares a test that needs Docker. Without a daemon it fails under `CI=true`
 * and is skipped (with the reason in its title) elsewhere.
 */
export function dockerTest(title: string, impl: ImplementationFn<[]>, options: { serial?: boolean } = {}): void {
  if (!DOCKER_UP && !IN_CI) {
    test.skip(`${title} (Docker is not available here)`, () => {});
    return;
  }
  const wrapped: ImplementationFn<[]> = async (t) => {
    if (!DOCKER_UP) {
      t.fail('Docker must be available when CI=true (is dockerd running?)');
      return;
    }
    await impl(t);
  };
  if (options.serial) test.serial(title, wrapped);
  else test(title, wrapped);
}

const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => spawnSync('test', ['-x', p]).status === 0);
const APPLETS = ['sh', 'sleep', 'httpd', 'echo', 'cat', 'true', 'false', 'test', 'touch', 'rm', 'ls', 'wget', 'kill'];

/** `sh` as PID 1 that ends with status 143 on SIGTERM, as a process killed by it would. */
const serve = (ports: string) =>
  `trap 'exit 143' TERM; for p in ${ports}; do httpd -f -p $p -h /www & done; wait`;

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

/** Runs a docker command and resolves to its trimmed stdout; rejects with its stderr. */
export function docker(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', args, { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`docker ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout.trim());
    });
  });
}

let named = 0;

/** A container name unique to this process and call, starting with `prefix`. */
export function uniqueName(prefix: string): string {
  named++;
  return `${prefix}-${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}${named}`;
}

/** `docker run -d --name <name> ...` that removes the container by name when the test ends. */
export async function runContainer(t: ExecutionContext, name: string, args: readonly string[]): Promise<string> {
  t.teardown(() => removeContainers(name));
  return docker(['run', '-d', '--name', name, ...args]);
}

/** `docker rm -f`, ignoring containers that are already gone. */
export function removeContainers(...names: string[]): Promise<void> {
  return new Promise((resolve) => {
    execFile('docker', ['rm', '-f', ...names], { timeout: 60_000 }, () => resolve());
  });
}

/** The host port Docker published for `port` (e.g. `80/tcp`) of a container. */
export async function publishedPort(name: string, port: string): Promise<number> {
  const out = await docker(['port', name, port]);
  const first = out.split('\n')[0] ?? '';
  return Number(first.slice(first.lastIndexOf(':') + 1));
}
