import {
  type ApplyResult,
  type Command,
  type KvOp,
  type StateSnapshot,
  StateStore,
  decodeCommand,
  encodeCommand,
  snapshotFromBytes,
} from '@concord/state';
import type { CommandLog, LogStateMachine } from '../log/command-log.js';

/** The outcome of a write: the log index it was applied at and the state machine's answer. */
export interface WriteResult {
  index: number;
  result: ApplyResult;
}

/**
 * The command as the state machine would get it from the log: a copy sharing nothing with the
 * caller's objects. A KV write (the common one) is copied field by field; anything else goes
 * through the log's own encoding.
 */
function detachedCommand(command: Command): Command {
  if (command.type === 'kv') {
    // a KV op holds only strings and numbers: a field-by-field copy shares nothing mutable; fields
    // left undefined are dropped as the JSON encoding drops them (without `delete`, which would
    // put the object in V8's slow dictionary mode)
    const src = command.op;
    const op: KvOp = { Verb: src.Verb, Key: src.Key };
    if (src.Value !== undefined) op.Value = src.Value;
    if (src.Flags !== undefined) op.Flags = src.Flags;
    if (src.Index !== undefined) op.Index = src.Index;
    if (src.Session !== undefined) op.Session = src.Session;
    return { ...command, op };
  }
  return decodeCommand(encodeCommand(command));
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
      snapshot: () => state.snapshotBytes(),
      restore: (_index, data) => state.restoreOwned(snapshotFromBytes<StateSnapshot>(data)),
    };
    await this.#log.open(sm);
  }

  /** Proposes a command, stamped with the proposer's clock, and waits for it to apply. */
  async write(command: Command): Promise<WriteResult> {
    const stamped: Command = command.time === undefined ? { ...command, time: Date.now() } : command;
    if (this.#log.applyNext) {
      const state = this.state;
      return this.#log.applyNext((index) => state.apply(index, detachedCommand(stamped)));
    }
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
