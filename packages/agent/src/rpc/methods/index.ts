/**
 * Every typed server RPC method, by Consul's name. The set is closed: proto/agent.proto lists the
 * same methods (a test keeps the two equal), and nothing else is reachable on the RPC port.
 */
import type { Method } from '../method.js';
import { aclMethods } from './acl.js';
import { catalogMethods } from './catalog.js';
import { coordinateMethods } from './coordinate.js';
import { healthMethods } from './health.js';
import { internalMethods } from './internal.js';
import { kvsMethods } from './kvs.js';
import { preparedQueryMethods } from './prepared-query.js';
import { sessionMethods } from './session.js';
import { snapshotMethods } from './snapshot.js';
import { operatorMethods, statusMethods } from './status.js';
import { txnMethods } from './txn.js';

export const METHODS = {
  ...kvsMethods,
  ...txnMethods,
  ...sessionMethods,
  ...catalogMethods,
  ...healthMethods,
  ...coordinateMethods,
  ...statusMethods,
  ...operatorMethods,
  ...snapshotMethods,
  ...preparedQueryMethods,
  ...internalMethods,
  ...aclMethods,
};

export type MethodName = keyof typeof METHODS;
export type ArgsOf<K extends MethodName> = (typeof METHODS)[K] extends Method<infer A, unknown> ? A : never;
export type ResultOf<K extends MethodName> = (typeof METHODS)[K] extends Method<unknown, infer R> ? R : never;

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(METHODS, name);
}
