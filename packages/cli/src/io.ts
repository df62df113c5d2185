/** Where a command reads and writes; tests and the binary supply their own. */

export interface Io {
  readonly env: NodeJS.ProcessEnv;
  /** Writes one line to stdout. */
  out(line: string): void;
  /** Writes one line to stderr. */
  err(line: string): void;
  /** Writes bytes to stdout as they are. */
  write(bytes: Uint8Array | string): void;
  /** Reads stdin to its end. */
  readStdin(): Promise<Buffer>;
}

/** The exit status of a Go program killed by SIGPIPE, as `consul` ends when its reader goes away. */
const BROKEN_PIPE_EXIT = 128 + 13;

/**
 * `concord info | head` closes stdout early: end quietly, as a Go program dies of SIGPIPE,
 * instead of crashing with an unhandled EPIPE error.
 */
function endQuietlyOnBrokenPipe(): void {
  if (process.stdout.listenerCount('error') > 0) return;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(BROKEN_PIPE_EXIT);
    throw err;
  });
}

export function processIo(): Io {
  endQuietlyOnBrokenPipe();
  return {
    env: process.env,
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    write: (bytes) => void process.stdout.write(bytes),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks);
    },
  };
}
