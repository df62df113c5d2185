"""python-consul's blocking index loops against an agent: a loop on unchanged data waits out
each `wait` (few requests), a change wakes it early. Usage: python3 <this> <http port>."""
import json
import sys
import threading
import time

import consul
from checks import check

c = consul.Consul(host='127.0.0.1', port=int(sys.argv[1]))
requests_sent = []
_request = c.http.session.request


def counting_request(method, url, *args, **kwargs):
    requests_sent.append(url)
    return _request(method, url, *args, **kwargs)


c.http.session.request = counting_request


def loop_unchanged(what, fetch, seconds=3.0, wait='1s'):
    """Runs a blocking loop for `seconds` on data nobody changes; returns the request count."""
    idx, _ = fetch(None, None)
    before = len(requests_sent)
    start = time.time()
    while time.time() - start < seconds:
        new_idx, _ = fetch(idx, wait)
        check(int(new_idx) >= int(idx), what + ': index never goes backwards', idx, new_idx)
        idx = new_idx
    sent = len(requests_sent) - before
    # a 1 s wait over 3 s is 3 or 4 requests (plus jitter); a spinning loop makes hundreds
    check(sent <= 5, what + ': loop on unchanged data spins', sent)
    return sent


def wakes_on_change(what, fetch, change, wait='20s'):
    idx, _ = fetch(None, None)
    timer = threading.Timer(0.5, change)
    timer.start()
    start = time.time()
    new_idx, data = fetch(idx, wait)
    took = time.time() - start
    timer.join()
    check(int(new_idx) > int(idx), what + ': a change returns a higher index', idx, new_idx)
    check(0.3 <= took < 10, what + ': the change wakes the blocked request early', took)
    return data


K = 'pyclient/block/leader'
c.kv.put(K, 'a')
c.kv.put('pyclient/block/members/m1', '{}')
counts = {}
counts['kv_key'] = loop_unchanged('kv key', lambda i, w: c.kv.get(K, index=i, wait=w))
counts['kv_missing'] = loop_unchanged('missing kv key', lambda i, w: c.kv.get('pyclient/block/none', index=i, wait=w))
counts['kv_recurse'] = loop_unchanged('kv recurse', lambda i, w: c.kv.get('pyclient/block/', recurse=True, index=i, wait=w))
counts['catalog_services'] = loop_unchanged('catalog services', lambda i, w: c.catalog.services(index=i, wait=w))
counts['health_service'] = loop_unchanged('health service', lambda i, w: c.health.service('consul', index=i, wait=w))
counts['session_list'] = loop_unchanged('session list', lambda i, w: c.session.list(index=i, wait=w))

# a write to another key does not wake a single-key watch (Consul watches the key itself)
idx, _ = c.kv.get(K)
threading.Timer(0.3, lambda: c.kv.put('pyclient/elsewhere', 'x')).start()
start = time.time()
same_idx, _ = c.kv.get(K, index=idx, wait='2s')
check(time.time() - start >= 1.5 and same_idx == idx, 'a write elsewhere leaves a key watch blocked', same_idx, idx)

got = wakes_on_change('kv key', lambda i, w: c.kv.get(K, index=i, wait=w), lambda: c.kv.put(K, 'b'))
check(got['Value'] == b'b', 'woken get returns the new value', got)
got = wakes_on_change('kv key delete', lambda i, w: c.kv.get(K, index=i, wait=w), lambda: c.kv.delete(K))
check(got is None, 'woken get after delete returns None', got)
got = wakes_on_change('kv recurse', lambda i, w: c.kv.get('pyclient/block/', recurse=True, index=i, wait=w),
                      lambda: c.kv.put('pyclient/block/members/m2', '{}'))
check([g['Key'] for g in got] == ['pyclient/block/members/m1', 'pyclient/block/members/m2'], 'woken recurse lists both', got)
got = wakes_on_change('catalog services', lambda i, w: c.catalog.services(index=i, wait=w),
                      lambda: c.agent.service.register('blocky', service_id='blocky-1', port=1))
check('blocky' in got, 'woken catalog services lists the new service', got)
print(json.dumps({'ok': True, 'requests': counts}))
