"""Tiny helpers shared by the client scripts: a failing check exits 1 with what was expected."""
import sys
import time


def check(cond, what, *got):
    if not cond:
        sys.stderr.write('check failed: %s %s\n' % (what, ' '.join(repr(g) for g in got)))
        sys.exit(1)


def until(pred, what, timeout=30.0, step=0.2):
    """Polls pred() until it is truthy, for at most `timeout` seconds; returns its value."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(step)
    check(False, 'timed out waiting until ' + what)
