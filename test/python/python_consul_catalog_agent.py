"""python-consul's agent, catalog and health API against an agent: usage python3 <this> <http port>."""
import json
import sys

import consul
from consul.base import CB
from checks import check, until

c = consul.Consul(host='127.0.0.1', port=int(sys.argv[1]))
node = c.agent.self()['Config']['NodeName']

# agent service + TTL check registration
check(c.agent.service.register('pyweb', service_id='pyweb-1', address='127.0.0.1', port=8080,
                               tags=['v1', 'primary'], check=consul.Check.ttl('30s')) is True, 'service register')
check(c.agent.check.register('pyttl', check=consul.Check.ttl('30s'), check_id='pyttl-1', notes='n') is True, 'check register')
services = c.agent.services()
check(services['pyweb-1']['Service'] == 'pyweb' and services['pyweb-1']['Port'] == 8080
      and services['pyweb-1']['Tags'] == ['v1', 'primary'], 'agent services', services.get('pyweb-1'))
checks = c.agent.checks()
check(checks['service:pyweb-1']['Status'] == 'critical' and checks['pyttl-1']['Status'] == 'critical', 'TTL checks start critical', checks)

# python-consul 0.7.1 sends GET for check pass/fail/warn and service/check deregister; Consul (1.0
# on) answers 405 there, so the call returns False. The same HTTP client's PUT works.
check(c.agent.check.ttl_pass('pyttl-1') is False, 'GET /v1/agent/check/pass is refused, as by Consul')
check(c.agent.checks()['pyttl-1']['Status'] == 'critical', 'a refused GET changes nothing')
put_bool = lambda path, params=None: c.http.put(CB.bool(), path, params=params)
check(put_bool('/v1/agent/check/pass/pyttl-1', {'note': 'all good'}) is True, 'PUT check pass')
check(put_bool('/v1/agent/check/pass/service:pyweb-1') is True, 'PUT service check pass')
checks = c.agent.checks()
check(checks['pyttl-1']['Status'] == 'passing' and checks['pyttl-1']['Output'] == 'all good', 'check passing with note', checks['pyttl-1'])

# catalog reads
_, nodes = c.catalog.nodes()
check(node in [n['Node'] for n in nodes], 'catalog nodes has the agent', nodes)
_, services = c.catalog.services()
check(services.get('pyweb') == ['v1', 'primary'] or sorted(services.get('pyweb', [])) == ['primary', 'v1'], 'catalog services', services)
_, instances = c.catalog.service('pyweb', tag='primary')
check(len(instances) == 1 and instances[0]['ServiceID'] == 'pyweb-1' and instances[0]['ServicePort'] == 8080
      and instances[0]['Node'] == node, 'catalog service by tag', instances)
check(c.catalog.service('pyweb', tag='absent')[1] == [], 'catalog service with a tag nobody has')
_, mine = c.catalog.node(node)
check('pyweb-1' in mine['Services'] and mine['Node']['Node'] == node, 'catalog node', mine)
check(c.catalog.datacenters() == ['dc1'], 'datacenters')

# catalog register / deregister of an external node
check(c.catalog.register('py-external', '10.1.2.3', service={'Service': 'pyext', 'Port': 5432}) is True, 'catalog register')
_, ext = c.catalog.service('pyext')
check(len(ext) == 1 and ext[0]['Address'] == '10.1.2.3' and ext[0]['ServicePort'] == 5432, 'external service', ext)
check(c.catalog.deregister('py-external') is True, 'catalog deregister')
check(c.catalog.service('pyext')[1] == [], 'external node gone')

# health: the agent syncs check status changes to the catalog asynchronously (anti-entropy), as
# Consul's does, so reads after a local update wait until it shows
def eventually(fetch, pred, what):
    return until(lambda: (lambda r: r if pred(r) else None)(fetch()), what, timeout=15)


_, passing = eventually(lambda: c.health.service('pyweb', passing=True), lambda r: r[1], 'the instance is passing')
check([e['Service']['ID'] for e in passing] == ['pyweb-1'], 'passing health entry', passing)
check({ch['CheckID'] for ch in passing[0]['Checks']} >= {'serfHealth', 'service:pyweb-1'}, 'entry carries node and service checks', passing[0]['Checks'])
# a node-level check that is not passing hides every service instance of the node from passing=1
check(put_bool('/v1/agent/check/warn/pyttl-1') is True, 'PUT check warn')
check(c.agent.checks()['pyttl-1']['Status'] == 'warning', 'check warning')
eventually(lambda: c.health.service('pyweb', passing=True), lambda r: r[1] == [], 'a warning node check hides the instance from passing=True')
check(put_bool('/v1/agent/check/fail/service:pyweb-1') is True, 'PUT service check fail')
_, svc_checks = eventually(lambda: c.health.checks('pyweb'), lambda r: [ch['Status'] for ch in r[1]] == ['critical'], 'service check critical')
check(c.health.service('pyweb', passing=True)[1] == [], 'failing instance is not passing')
check(len(c.health.service('pyweb')[1]) == 1, 'still listed without passing')
check([ch['Status'] for ch in svc_checks] == ['critical'], 'health checks of the service', svc_checks)
_, warning = c.health.state('warning')
check('pyttl-1' in [ch['CheckID'] for ch in warning], 'health state warning', warning)
_, node_checks = c.health.node(node)
check({'serfHealth', 'pyttl-1', 'service:pyweb-1'} <= {ch['CheckID'] for ch in node_checks}, 'health node', node_checks)

# maintenance and members
check(c.agent.service.maintenance('pyweb-1', 'true', 'upgrade') is True, 'service maintenance on')
check('_service_maintenance:pyweb-1' in c.agent.checks(), 'maintenance check present')
check(c.agent.service.maintenance('pyweb-1', 'false') is True, 'service maintenance off')
check('_service_maintenance:pyweb-1' not in c.agent.checks(), 'maintenance check gone')
members = c.agent.members()
check([m['Name'] for m in members] == [node] and members[0]['Status'] == 1, 'members', members)
check(c.status.leader() != '' and len(c.status.peers()) == 1, 'status leader/peers')

# deregistration: GET refused like Consul, PUT works
check(c.agent.service.deregister('pyweb-1') is False, 'GET service deregister is refused, as by Consul')
check('pyweb-1' in c.agent.services(), 'refused deregister changes nothing')
check(put_bool('/v1/agent/service/deregister/pyweb-1') is True, 'PUT service deregister')
check(put_bool('/v1/agent/check/deregister/pyttl-1') is True, 'PUT check deregister')
check('pyweb-1' not in c.agent.services() and 'pyttl-1' not in c.agent.checks(), 'deregistered')
eventually(lambda: c.health.service('pyweb'), lambda r: r[1] == [], 'service gone from health')
print(json.dumps({'ok': True}))
