import {
  type ApplyResult,
  type Command,
  type StateSnapshot,
  StateStore,
  decodeCommand,
  encodeCommand,
} from '@concord/state';
import type { CommandLog, LogStateMachine } from '../log/command-log.js';

/** The outcome of a write: the log index it was applied at and the state machine's answer. */
export interface WriteResult {
  index: number;
  result: ApplyResult;
}

/** Binds the state machine to a command log: writes go through the log, reads go to the state. */
export class StateServer {
  readonly state: StateStore;
  readonly #log: CommandLog;

  constructor(log: CommandLog, datacenter: string) {
    this.#log = log;
    this.state = new StateStore({ datacenter });
  }

  get log(): CommandLog {
    return this.#log;
  }

  async open(): Promise<void> {
    const state = this.state;
    const sm: LogStateMachine = {
      apply: (index, data) => state.apply(index, decodeCommand(data)),
      snapshot: () => Buffer.from(state.snapshotJson()),
      restore: (_index, data) => state.restore(JSON.parse(Buffer.from(data).toString('utf8')) as StateSnapshot),
    };
    await this.#log.open(sm);
  }

  /** Proposes a command, stamped with the proposer's clock, and waits for it to apply. */
  async write(command: Command): Promise<WriteResult> {
    const stamped: Command = command.time === undefined ? { ...command, time: Date.now() } : command;
    const { index, result } = await this.#log.propose(encodeCommand(stamped));
    return { index, result: result as ApplyResult };
  }

  isLeader(): boolean {
    return this.#log.isLeader();
  }

  close(): Promise<void> {
    return this.#log.close();
  }
}
