"""python-consul's KV and session API against an agent: usage python3 <this> <http port>."""
import json
import sys

import consul
from checks import check

c = consul.Consul(host='127.0.0.1', port=int(sys.argv[1]))
P = 'pyclient/kv/'
node = c.agent.self()['Config']['NodeName']

# put / get / flags / binary values / None (a "directory" key)
check(c.kv.put(P + 'a', 'one') is True, 'put returns True')
check(c.kv.put(P + 'b', 'two', flags=42) is True, 'put with flags')
check(c.kv.put(P + 'sub/', None) is True, 'put None')
check(c.kv.put(P + 'bin', b'\x00\xff\x10') is True, 'put bytes')
idx, a = c.kv.get(P + 'a')
check(a['Value'] == b'one' and a['Key'] == P + 'a' and a['Flags'] == 0, 'get a', a)
check(int(idx) == a['ModifyIndex'], 'X-Consul-Index of one key is its ModifyIndex', idx, a)
check(c.kv.get(P + 'b')[1]['Flags'] == 42, 'flags round-trip')
check(c.kv.get(P + 'bin')[1]['Value'] == b'\x00\xff\x10', 'binary round-trip')
check(c.kv.get(P + 'sub/')[1]['Value'] is None, 'None value reads back as None')
missing_idx, missing = c.kv.get(P + 'missing')
check(missing is None and int(missing_idx) > 0, 'missing key is (index, None)', missing_idx, missing)

# recurse / keys / separator
_, items = c.kv.get(P, recurse=True)
check([i['Key'] for i in items] == [P + 'a', P + 'b', P + 'bin', P + 'sub/'], 'recurse lists sorted keys', items)
_, keys = c.kv.get(P, keys=True)
check(keys == [P + 'a', P + 'b', P + 'bin', P + 'sub/'], 'keys', keys)
c.kv.put(P + 'sub/deep', 'x')
_, keys = c.kv.get(P, keys=True, separator='/')
check(keys == [P + 'a', P + 'b', P + 'bin', P + 'sub/'], 'keys with separator folds sub/', keys)

# cas
check(c.kv.put(P + 'a', 'nope', cas=0) is False, 'cas=0 on an existing key fails')
check(c.kv.put(P + 'new', 'v', cas=0) is True, 'cas=0 creates')
mi = c.kv.get(P + 'a')[1]['ModifyIndex']
check(c.kv.put(P + 'a', 'stale', cas=mi - 1) is False, 'stale cas fails')
check(c.kv.put(P + 'a', 'fresh', cas=mi) is True, 'matching cas succeeds')
check(c.kv.get(P + 'a')[1]['Value'] == b'fresh', 'cas write landed')
mi = c.kv.get(P + 'a')[1]['ModifyIndex']
check(c.kv.delete(P + 'a', cas=mi - 1) is False, 'stale delete cas fails')
check(c.kv.get(P + 'a')[1] is not None, 'key survives a failed delete cas')
check(c.kv.delete(P + 'a', cas=mi) is True, 'matching delete cas succeeds')
check(c.kv.get(P + 'a')[1] is None, 'deleted')

# sessions: create with TTL, behavior, lock delay; info, list, node, renew
s_rel = c.session.create(name='py-release', ttl=10, lock_delay=0)
s_del = c.session.create(name='py-delete', behavior='delete', ttl=30, lock_delay=2)
_, info = c.session.info(s_del)
check(info['ID'] == s_del and info['Name'] == 'py-delete' and info['Behavior'] == 'delete', 'session info', info)
check(info['TTL'] == '30s' and info['LockDelay'] == 2 * 10 ** 9 and info['Node'] == node, 'session TTL/lock delay/node', info)
check(c.session.info(s_rel)[1]['LockDelay'] == 0 and c.session.info(s_rel)[1]['Behavior'] == 'release', 'release session')
_, listed = c.session.list()
check({s_rel, s_del} <= {s['ID'] for s in listed}, 'list has both sessions', listed)
_, on_node = c.session.node(node)
check({s_rel, s_del} <= {s['ID'] for s in on_node}, 'node sessions has both', on_node)
renewed = c.session.renew(s_del)
check(renewed['ID'] == s_del and renewed['TTL'] == '30s', 'renew returns the session', renewed)
check(c.session.info('00000000-0000-0000-0000-000000000000')[1] is None, 'unknown session info is None')

# acquire / release
L = P + 'lock'
check(c.kv.put(L, 'holder-1', acquire=s_rel) is True, 'acquire')
check(c.kv.put(L, 'holder-2', acquire=s_del) is False, 'second session cannot acquire')
_, held = c.kv.get(L)
check(held['Session'] == s_rel and held['LockIndex'] == 1 and held['Value'] == b'holder-1', 'lock holder', held)
check(c.kv.put(L, 'holder-1b', acquire=s_rel) is True, 'holder re-acquire updates the value')
check(c.kv.get(L)[1]['LockIndex'] == 1, 're-acquire keeps LockIndex')
check(c.kv.put(L, 'x', release=s_del) is False, 'non-holder cannot release')
check(c.kv.put(L, 'released', release=s_rel) is True, 'release')
_, rel = c.kv.get(L)
check('Session' not in rel and rel['Value'] == b'released', 'released key has no Session', rel)
check(c.kv.put(L, 'holder-2', acquire=s_del) is True, 'other session acquires after a release (no lock delay on release)')

# behavior=delete: destroying the session deletes the keys it holds
check(c.session.destroy(s_del) is True, 'destroy')
check(c.kv.get(L)[1] is None, 'behavior=delete removed the held key')
try:
    c.session.renew(s_del)
    check(False, 'renew of a destroyed session raises NotFound')
except consul.NotFound:
    pass
# Consul answers 500 "invalid session ..." here; patroni matches that text to drop its session.
for bad in (s_del, 'not-a-session'):
    try:
        c.kv.put(P + 'other', 'x', acquire=bad)
        check(False, 'acquire with a destroyed or malformed session raises', bad)
    except consul.ConsulException as e:
        check(str(e).startswith('500 invalid session'), 'invalid session error text', str(e))
check(c.kv.get(P + 'other')[1] is None, 'a refused acquire writes nothing')

# lock delay after invalidation: a lock held by a destroyed release-session cannot be taken at once
s_lk = c.session.create(name='py-lockdelay', lock_delay=3, ttl=60)
check(c.kv.put(P + 'ld', 'a', acquire=s_lk) is True, 'acquire ld')
c.session.destroy(s_lk)
_, ld = c.kv.get(P + 'ld')
check(ld is not None and 'Session' not in ld, 'release behavior keeps the key, unlocked', ld)
s_next = c.session.create(name='py-next', ttl=60)
check(c.kv.put(P + 'ld', 'b', acquire=s_next) is False, 'lock delay blocks acquiring right after invalidation')

# recurse delete
check(c.kv.delete(P, recurse=True) is True, 'recursive delete')
check(c.kv.get(P, recurse=True)[1] is None, 'prefix is empty')
c.session.destroy(s_rel)
c.session.destroy(s_next)
print(json.dumps({'ok': True, 'node': node}))
