/**
 * Docker for end-to-end tests: whether a daemon is there, the test images
 * (see _docker-images.ts), and containers that are removed by name when the
 * test ends.
 */
import { execFile, spawnSync } from 'node:child_process';
import test, { type ExecutionContext, type ImplementationFn } from 'ava';

export { ensureTestImages, imageRef, type TestImage } from './_docker-images.js';

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
