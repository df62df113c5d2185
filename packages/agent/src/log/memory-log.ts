import { type CommandLog, LogClosedError, type LogStateMachine, type Proposal } from './command-log.js';

/** An in-memory log for -dev: every proposal is applied at once. Nothing survives a restart. */
export class MemoryLog implements CommandLog {
  #sm: LogStateMachine | undefined;
  #index = 0;
  #closed = false;

  async open(sm: LogStateMachine): Promise<void> {
    this.#sm = sm;
  }

  propose(data: Uint8Array): Promise<Proposal> {
    if (this.#closed || !this.#sm) return Promise.reject(new LogClosedError());
    const index = ++this.#index;
    return Promise.resolve({ index, result: this.#sm.apply(index, data) });
  }

  applyNext<T>(apply: (index: number) => T): Promise<{ index: number; result: T }> {
    if (this.#closed || !this.#sm) return Promise.reject(new LogClosedError());
    const index = ++this.#index;
    try {
      return Promise.resolve({ index, result: apply(index) });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  isLeader(): boolean {
    return true;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
