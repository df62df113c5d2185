/**
 * The write methods (`KVS.Apply`, `Catalog.Register`, ...): a state machine command, applied
 * through the leader. Each method takes only its own command types, so a caller cannot reach a
 * command the leader keeps for itself (tombstone reaping) through the RPC port. A command the
 * state machine refuses fails the call with the state's error, mapped to its HTTP status.
 */
import type { Command } from '@concord/state';
import { ArgsError, record } from '../args.js';
import { type CallMethod, type Homed, type MethodEnv, callMethod } from '../method.js';

export type CommandType = Command['type'];

export interface ApplyArgs {
  command: Command;
}

function decodeApply(types: readonly CommandType[]): (raw: unknown) => ApplyArgs {
  return (raw) => {
    const command = record(raw).command;
    if (typeof command !== 'object' || command === null || Array.isArray(command)) throw new ArgsError('command must be an object');
    const type = (command as { type?: unknown }).type;
    if (typeof type !== 'string' || !(types as readonly string[]).includes(type)) {
      throw new ArgsError(`command ${String(type)} is not applied by this method`);
    }
    return { command: command as Command };
  };
}

/** Runs on the leader after a command applied (session timers follow their sessions). */
export type AfterApply = (env: MethodEnv, command: Command, value: unknown) => void;

/** Runs on the leader before a command is proposed; throws to refuse it. */
export type BeforeApply = (env: MethodEnv, command: Command) => void;

export function applyMethod(types: readonly CommandType[], after?: AfterApply, before?: BeforeApply, home?: Homed<ApplyArgs>['home']): CallMethod<ApplyArgs, unknown> {
  const method = callMethod('leader', decodeApply(types), async (env, { command }) => {
    before?.(env, command);
    // A leader that lost its leadership meanwhile passes the command on with the caller's token.
    const out = await env.agent.apply(command, env.options.token);
    after?.(env, command, out.result.value);
    return { value: out.result.value, index: out.index };
  });
  return home ? { ...method, home } : method;
}

/** The write method that carries each command type; none for the leader's own housekeeping. */
const COMMAND_METHODS: Partial<Record<CommandType, string>> = {
  kv: 'KVS.Apply',
  txn: 'Txn.Apply',
  'session-create': 'Session.Apply',
  'session-destroy': 'Session.Apply',
  register: 'Catalog.Register',
  'check-status': 'Catalog.Register',
  deregister: 'Catalog.Deregister',
  'coordinate-batch-update': 'Coordinate.Update',
  'query-set': 'PreparedQuery.Apply',
  'query-delete': 'PreparedQuery.Apply',
  restore: 'Snapshot.Restore',
  'acl-token-set': 'ACL.Apply',
  'acl-token-delete': 'ACL.Apply',
  'acl-policy-set': 'ACL.Apply',
  'acl-policy-delete': 'ACL.Apply',
  'acl-role-set': 'ACL.Apply',
  'acl-role-delete': 'ACL.Apply',
  'acl-bootstrap': 'ACL.Apply',
};

export function commandMethod(type: CommandType): string | undefined {
  return COMMAND_METHODS[type];
}
