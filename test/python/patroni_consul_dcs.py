"""Patroni's own Consul DCS class (patroni.dcs.consul.Consul) against an agent, as a patroni
cluster of two members uses it, with no PostgreSQL: initialize race, dynamic config with cas,
member keys, the leader lock (session with TTL and behavior=delete, acquire), renewal, a
blocking watch on the leader key, handover, loss of the lock when the holder's session TTL
runs out, and the error text for a TTL below session_ttl_min.
Usage: python3 <this> <http port>  (the agent runs with session_ttl_min = "1s")."""
import json
import logging
import sys
import threading
import time

from patroni.dcs.consul import Consul, InvalidSessionTTL
from checks import check, until

logging.basicConfig(level=logging.CRITICAL, stream=sys.stderr)  # patroni logs expected errors at ERROR
PORT = int(sys.argv[1])
SCOPE = 'pyclient-pg'
TTL = 10  # patroni asks Consul for a session TTL of ttl/2 = "5.0s"; Consul invalidates after 2x that


def member(name, ttl=TTL):
    dcs = Consul({'scope': SCOPE, 'name': name, 'namespace': '/service/', 'retry_timeout': 10, 'ttl': ttl,
                  'loop_wait': 1, 'host': '127.0.0.1:%d' % PORT, 'register_service': True})
    dcs.requests = []
    pool = dcs._client.http.http
    original = pool.request

    def counting(method, url, *args, **kwargs):
        dcs.requests.append((method, url))
        return original(method, url, *args, **kwargs)
    pool.request = counting
    dcs.watch(None, 0.01)  # the first watch after a TTL change returns at once, by design
    return dcs


def data(name, role):
    return {'conn_url': 'postgres://127.0.0.1:5432/postgres', 'api_url': 'http://127.0.0.1:1/patroni',
            'state': 'running', 'role': role, 'version': '3.0.2', 'name': name}


a = member('pg0')
b = member('pg1')
client = a._client
check(a._session and b._session and a._session != b._session, 'each member created a session', a._session, b._session)
_, info = client.session.info(a._session)
check(info['Behavior'] == 'delete' and info['Name'] == SCOPE + '-pg0' and info['LockDelay'] == 1000000, 'patroni session', info)
check(not info['NodeChecks'] and not info['ServiceChecks'], "patroni's explicit empty checks leave only the TTL", info)
check(info['TTL'] in ('5.0s', '5s'), 'patroni session TTL', info['TTL'])

# bootstrap race on /initialize (cas=0), then the system id
check(a.initialize(create_new=True) is True, 'first member wins initialize')
check(b.initialize(create_new=True) is False, 'second member loses initialize')
check(a.initialize(create_new=False, sysid='7001234567890123456') is True, 'initialize stores the sysid')

# dynamic configuration with cas on the ModifyIndex patroni read
check(a.set_config_value(json.dumps({'ttl': TTL, 'loop_wait': 1})) is True, 'config written')
cluster = b.get_cluster()
check(cluster.initialize == '7001234567890123456', 'cluster initialize key', cluster.initialize)
check(cluster.config.data == {'ttl': TTL, 'loop_wait': 1}, 'cluster config', cluster.config.data)
stale = cluster.config.index
check(b.set_config_value(json.dumps({'ttl': TTL, 'loop_wait': 2}), index=stale) is True, 'config cas with the read index')
check(a.set_config_value(json.dumps({'ttl': TTL, 'loop_wait': 3}), index=stale) is False, 'config cas with a stale index fails')
check(a.get_cluster().config.data['loop_wait'] == 2, 'the cas winner is kept')

# member keys, held by each member's session
check(a.touch_member(data('pg0', 'master')) is True and b.touch_member(data('pg1', 'replica')) is True, 'touch_member')

# the leader lock
check(a.attempt_to_acquire_leader() is True, 'pg0 takes the leader lock')
check(b.attempt_to_acquire_leader() is False, 'pg1 is refused while pg0 holds it')
cluster = b.get_cluster()
check(cluster.leader and cluster.leader.name == 'pg0' and cluster.leader.session == a._session, 'leader seen by pg1', cluster.leader)
check(sorted(m.name for m in cluster.members) == ['pg0', 'pg1'], 'members', cluster.members)
check(all(m.session for m in cluster.members), 'member keys carry their sessions')
a.get_cluster()  # patroni's HA loop reads the cluster before renewing the lock
check(a.update_leader(last_lsn=123456789) is True, 'leader renews its session and writes status')
check(b.get_cluster().last_lsn == 123456789, 'status key read back', b.get_cluster().last_lsn)

# patroni registered a service with tags for its role
_, entries = client.catalog.service(SCOPE)
registered = sorted((e['ServiceID'], sorted(e['ServiceTags']), e['ServicePort'], e['ServiceEnableTagOverride']) for e in entries)
check(registered == [(SCOPE + '/pg0', ['master', 'primary'], 5432, True), (SCOPE + '/pg1', ['replica'], 5432, True)],
      'patroni services', registered)
check(all(ch['Status'] == 'critical' for ch in client.health.checks(SCOPE)[1]), 'their HTTP checks to a closed port fail')

# pg1 watches the leader key: unchanged it blocks for the whole timeout in very few requests
leader_index = b.get_cluster().leader.index
sent_before = len(b.requests)
start = time.time()
check(b.watch(leader_index, 3) is False, 'watch on an unchanged leader key reports no change')
took = time.time() - start
watch_requests = len(b.requests) - sent_before
check(took >= 2.5, 'watch waited out its timeout', took)
check(watch_requests <= 2, 'watch does not spin', watch_requests, b.requests[-10:])

# handover: pg0 deletes the leader key (cas on its index); pg1's watch wakes and pg1 takes it
a.get_cluster()
a._do_refresh_session(force=True)
threading.Timer(0.5, lambda: check(a.delete_leader(last_lsn=123456800) is True, 'pg0 deletes its leader key')).start()
start = time.time()
check(b.watch(leader_index, 20) is True, 'watch wakes on the leader key change')
check(time.time() - start < 10, 'watch woke early', time.time() - start)
check(b.attempt_to_acquire_leader() is True, 'pg1 takes the free lock')
check(a.attempt_to_acquire_leader() is False, 'pg0 is refused now')
check(a.get_cluster().leader.name == 'pg1', 'pg1 is leader')

# pg1 stops renewing: its session expires, behavior=delete removes the leader and member keys
start = time.time()


def pg0_takes_over():
    a.touch_member(data('pg0', 'replica'))  # keeps pg0's session renewed (every loop_wait)
    return a.attempt_to_acquire_leader()


until(pg0_takes_over, 'pg0 takes the lock after pg1\'s session expired', timeout=40, step=0.5)
lost_after = time.time() - start
check(lost_after >= 4, 'the lock was not lost before the session TTL', lost_after)
cluster = a.get_cluster()
check(cluster.leader.name == 'pg0' and cluster.leader.session == a._session, 'pg0 leads after the expiry', cluster.leader)
check([m.name for m in cluster.members] == ['pg0'], 'the expired session deleted pg1\'s member key', cluster.members)
old = b._session
check(b.touch_member(data('pg1', 'replica')) is True and b._session != old, 'pg1 notices and creates a new session')
check(sorted(m.name for m in a.get_cluster().members) == ['pg0', 'pg1'], 'pg1 is a member again')

# a TTL below the agent's session_ttl_min: Consul's 500 "Invalid Session TTL ..." text, which
# patroni turns into InvalidSessionTTL (its adjust_ttl then looks for Config.SessionTTLMin in
# /v1/agent/self, which Consul 1.x no longer reports either; patroni keeps retrying)
small = Consul({'scope': SCOPE, 'name': 'pg2', 'namespace': '/service/', 'retry_timeout': 10, 'ttl': 1,
                'loop_wait': 1, 'host': '127.0.0.1:%d' % PORT, 'patronictl': True})
try:
    small._do_refresh_session()
    check(False, 'a session TTL of 0.5s is refused')
except InvalidSessionTTL as e:
    check('Invalid Session TTL' in str(e), 'error text', str(e))

check(a.delete_cluster() is True, 'delete_cluster')
check(client.kv.get('service/' + SCOPE + '/', recurse=True)[1] is None, 'cluster keys gone')
print(json.dumps({'ok': True, 'watch_requests': watch_requests, 'lock_lost_after_s': round(lost_after, 1)}))
