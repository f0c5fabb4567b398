"""wfbench.engine.environment: what a run reaches outside itself, and its defaults."""

from __future__ import annotations

from datetime import UTC

from wfbench.actions import builtin_registry
from wfbench.engine.environment import Environment
from wfbench.engine.invoke import LocalInvoker


def test_the_defaults_reach_nothing_and_change_nothing() -> None:
    env = Environment(builtin_registry())
    assert env.directory is None and dict(env.connectors) == {}
    assert isinstance(env.invoker, LocalInvoker)
    secret = {"token": "s3cret", "items": ["a"]}
    assert env.mask(secret) is secret  # no masking until the starter fills it in
    with env.transaction(env.actions.get("core.log")) as held:
        assert held is None
    now = env.clock()
    assert now.tzinfo is not None and now.utcoffset() == UTC.utcoffset(now)


def test_each_environment_has_its_own_lock_and_connectors() -> None:
    one, two = Environment(builtin_registry()), Environment(builtin_registry())
    assert one.lock is not two.lock and one.connectors is not two.connectors
    with one.lock, one.lock:  # re-entrant: the history writer takes it inside a handler's
        pass
