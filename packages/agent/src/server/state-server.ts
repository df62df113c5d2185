import { type ApplyResult, type Command, type StateSnapshot, StateStore, decodeCommand, encodeCommand, snapshotFromBytes } from '@concord/state';
import type { CommandLog, LogStateMachine } from '../log/command-log.js';

/** The outcome of a write: the log index it was applied at and the state machine's answer. */
export interface WriteResult {
  index: number;
  result: ApplyResult;
}

/** Binds the state machine to a command log: writes go through the log, reads go to the state. */
export class StateServer {
  readonly state: StateStore;
  readonly #log: CommandLog<ApplyResult>;

  constructor(log: CommandLog<ApplyResult>, datacenter: string) {
    this.#log = log;
    this.state = new StateStore({ datacenter });
  }

  get log(): CommandLog<ApplyResult> {
    return this.#log;
  }

  async open(): Promise<void> {
    const state = this.state;
    const sm: LogStateMachine<ApplyResult> = {
      apply: (index, data) => state.apply(index, decodeCommand(data)),
      snapshot: () => state.snapshotBytes(),
      restore: (_index, data) => state.restoreOwned(snapshotFromBytes<StateSnapshot>(data)),
    };
    await this.#log.open(sm);
  }

  /** Proposes a command, stamped with the proposer's clock, and waits for it to apply. */
  async write(command: Command): Promise<WriteResult> {
    const stamped: Command = command.time === undefined ? { ...command, time: Date.now() } : command;
    return this.#log.propose(encodeCommand(stamped));
  }

  isLeader(): boolean {
    return this.#log.isLeader();
  }

  close(): Promise<void> {
    return this.#log.close();
  }
}
