"""Clock skew's two guards: a skew that did not take is seen (the offset read from an HTTP `Date`), and a
missing libfaketime makes the scenario not available instead of running it unskewed."""

import json
from email.utils import formatdate

import pytest

from conformance.faults_clock import Skew, offset_seconds, skewed_env
from conformance.system import NotAvailableError
from conformance.system_local import LocalSystem


def test_the_offset_is_read_from_a_date_header_to_the_second() -> None:
    now = 1_700_000_000.0
    assert offset_seconds(formatdate(now + 20, usegmt=True), now) == 20
    assert offset_seconds(formatdate(now - 20, usegmt=True), now + 0.5) == -20.5


def test_a_missing_libfaketime_makes_the_scenario_not_available(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("conformance.faults_clock.LIBFAKETIME", "/nowhere/faketime/libfaketime.so.1")
    env = skewed_env((Skew("projector", 1, 20),))
    assert json.loads(env["SERVICE_ENV"])["projector-2"]["LD_PRELOAD"] == "/nowhere/faketime/libfaketime.so.1"
    with pytest.raises(NotAvailableError, match=r"^install Debian's libfaketime \(/nowhere/.*projector-2"):
        LocalSystem("clock-skew", env=env, replicas=2)
