import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import test from 'ava';
import { agentDescriptor } from '../src/gen/agent-descriptor.js';
import { METHODS } from '../src/rpc/methods/index.js';
import { METHOD_SERVICES, checkMethodSet, wireMethods } from '../src/rpc/transport.js';

function loaded(): Parameters<typeof wireMethods>[0] {
  const pkg = grpc.loadPackageDefinition(
    protoLoader.fromJSON(agentDescriptor as unknown as Parameters<typeof protoLoader.fromJSON>[0], { longs: Number, enums: String, defaults: true }),
  ) as unknown as { concord: { agent: { v1: Parameters<typeof wireMethods>[0] } } };
  return pkg.concord.agent.v1;
}

test('the typed methods are exactly the proto methods, named as Consul names its endpoints', (t) => {
  const wire = wireMethods(loaded());
  t.notThrows(() => checkMethodSet(wire));
  t.deepEqual([...wire.keys()].sort(), Object.keys(METHODS).sort());
  for (const name of wire.keys()) t.regex(name, /^(KVS|Txn|Session|Catalog|Health|Coordinate|Status|Operator|Snapshot|PreparedQuery|Internal|ACL)\.[A-Z]\w+$/);
  t.is(wire.get('KVS.Get')?.path, '/concord.agent.v1.KVS/Get');
  t.deepEqual([...METHOD_SERVICES].sort(), [...new Set([...wire.keys()].map((n) => n.split('.')[0]))].sort());
});

test('a method set that differs from the proto refuses to start', (t) => {
  const wire = new Map(wireMethods(loaded()));
  wire.delete('KVS.Get');
  t.throws(() => checkMethodSet(wire), { message: /not in the proto KVS\.Get/ });
  wire.set('KVS.Get', wire.get('KVS.List') as never);
  wire.set('Agent.Self', wire.get('KVS.List') as never);
  t.throws(() => checkMethodSet(wire), { message: /in the proto without code Agent\.Self/ });
});

test('no method reaches an agent-local endpoint or the leader-only commands', (t) => {
  for (const name of Object.keys(METHODS)) t.false(/^Agent\b|Keyring\b|Script|Event/.test(name.split('.')[0] as string), name);
  const apply = METHODS['KVS.Apply'];
  t.throws(() => apply.decode({ command: { type: 'tombstone-reap', upTo: 10 } }), { message: /not applied by this method/ });
  t.throws(() => apply.decode({ command: { type: 'register', reg: {} } }), { message: /not applied by this method/ });
  t.throws(() => METHODS['Catalog.Register'].decode({ command: { type: 'kv', op: {} } }), { message: /not applied by this method/ });
  t.notThrows(() => apply.decode({ command: { type: 'kv', op: { Verb: 'set', Key: 'k', Value: null, Flags: 0 } } }));
  t.throws(() => METHODS['KVS.Get'].decode({ key: 5 }), { message: 'key must be a string' });
  t.throws(() => METHODS['KVS.Get'].decode('k'), { message: 'arguments must be an object' });
});

test('ACL.Apply carries the ACL writes and the bootstrap, never the leader-only acl-init or acl-replicate', (t) => {
  const apply = METHODS['ACL.Apply'];
  t.notThrows(() => apply.decode({ command: { type: 'acl-bootstrap', token: {} } }));
  t.throws(() => apply.decode({ command: { type: 'acl-init', policies: [], tokens: [] } }), { message: /not applied by this method/ });
  t.throws(() => apply.decode({ command: { type: 'acl-replicate', table: 'tokens', upserts: [], deletes: [] } }), { message: /not applied by this method/ });
  t.throws(() => apply.decode({ command: { type: 'kv', op: {} } }), { message: /not applied by this method/ });
});
