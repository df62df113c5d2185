import { spawn } from 'node:child_process';

/**
 * Runs the writing child script `child` on `dir`; each line it prints (`ack <index> <value>`) is an
 * acknowledged write, passed to `onAck`. Once `acks` lines came from this run, the child is killed
 * with SIGKILL (and after 60 s whatever it acknowledged). Resolves when it has exited.
 */
export function writeUntilKilled(child: string, dir: string, acks: number, onAck: (index: number, value: string) => void): Promise<void> {
  let seen = 0;
  return new Promise<void>((resolve, reject) => {
    const p = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    let buf = '';
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        const [, index, value] = l.split(' ');
        onAck(Number(index), value!);
        seen++;
      }
      if (seen >= acks && !p.killed) p.kill('SIGKILL');
    });
    p.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    p.on('error', reject);
  });
}
