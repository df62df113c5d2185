/**
 * `concord info | head -1`: when the reader of stdout goes away, the command ends quietly with
 * the status of a Go program killed by SIGPIPE (141) instead of an unhandled EPIPE stack trace.
 */
import { spawn } from 'node:child_process';
import test from 'ava';
import { BIN, startAgent } from './_agent.js';

test('a command whose stdout reader has gone ends with 141 and nothing on stderr', async (t) => {
  const agent = await startAgent();
  t.teardown(() => agent.stop());
  for (const args of [['info'], ['members'], ['catalog', 'services']]) {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, CONSUL_HTTP_ADDR: agent.httpAddr },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Close the read end at once: every write the command makes meets a broken pipe.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    t.is(code, 141, `${args.join(' ')}: ${stderr}`);
    t.is(stderr, '', args.join(' '));
  }
});
