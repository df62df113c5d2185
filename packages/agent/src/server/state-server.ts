import { type ApplyResult, type Command, type StateSnapshot, StateStore, decodeCommand, encodeCommand, encodesExactly, snapshotFromBytes } from '@concord/state';
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
      // The proposer applies its own command when the bytes hold it exactly (see write).
      apply: (index, data, local) => state.apply(index, (local as Command | undefined) ?? decodeCommand(data)),
      snapshot: () => state.snapshotBytes(),
      snapshotPieces: () => state.snapshotPieces(),
      restore: (_index, data) => state.restoreOwned(snapshotFromBytes<StateSnapshot>(data)),
    };
    await this.#log.open(sm);
  }

  /**
   * Proposes a command, stamped with the proposer's clock, and waits for it to apply. When its
   * encoding is exact (a `kv` command) this server applies the stamped object itself instead of
   * decoding the bytes it just encoded; every other server, and a replay, decodes them. The
   * command must not change after it is handed here.
   */
  write(command: Command): Promise<WriteResult> {
    const stamped: Command = command.time === undefined ? { ...command, time: Date.now() } : command;
    let bytes: Uint8Array;
    try {
      bytes = encodeCommand(stamped);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.#log.propose(bytes, encodesExactly(bytes) ? stamped : undefined);
  }

  isLeader(): boolean {
    return this.#log.isLeader();
  }

  close(): Promise<void> {
    return this.#log.close();
  }
}
