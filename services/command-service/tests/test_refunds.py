"""The refund policy at its boundaries, with an injected notion of now."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from command_service.domain.refunds import (
    CHECK_IN_TIME,
    CancellationPolicy,
    check_in_instant,
    refund_amount,
    refund_policy,
)
from innkeeper_contracts import Money

CHECK_IN = date(2026, 7, 20)
TOTAL = Money(amount=Decimal("301.01"), currency="EUR")
ONE_SECOND = timedelta(seconds=1)


def cancelled_with_notice(notice: timedelta) -> datetime:
    return check_in_instant(CHECK_IN) - notice


def test_check_in_instant_is_three_in_the_afternoon_utc() -> None:
    assert check_in_instant(CHECK_IN) == datetime(2026, 7, 20, 15, 0, tzinfo=UTC)
    assert CHECK_IN_TIME.tzinfo is UTC


@pytest.mark.parametrize(
    ("notice", "policy", "refund"),
    [
        (timedelta(days=30), "full", "301.01"),
        (timedelta(days=7), "full", "301.01"),
        (timedelta(days=7) - ONE_SECOND, "half", "150.51"),
        (timedelta(hours=48), "half", "150.51"),
        (timedelta(hours=48) - ONE_SECOND, "none", "0.00"),
        (timedelta(0), "none", "0.00"),
        (-timedelta(days=1), "none", "0.00"),
    ],
)
def test_refund_at_the_policy_boundaries(notice: timedelta, policy: str, refund: str) -> None:
    terms = CancellationPolicy().terms(TOTAL, CHECK_IN, cancelled_with_notice(notice))
    assert terms.policy == policy
    assert terms.refund == Money(amount=Decimal(refund), currency="EUR")


def test_half_refund_rounds_half_cents_up() -> None:
    assert refund_amount(Money(amount=Decimal("0.01"), currency="EUR"), "half").amount == Decimal("0.01")
    assert refund_amount(Money(amount=Decimal("100.00"), currency="EUR"), "half").amount == Decimal("50.00")


def test_refund_policy_of_notice() -> None:
    assert refund_policy(timedelta(days=8)) == "full"
    assert refund_policy(timedelta(days=3)) == "half"
    assert refund_policy(timedelta(hours=1)) == "none"


@pytest.mark.parametrize(
    ("notice", "total", "kinds"),
    [
        (timedelta(days=10), "999.99", []),
        (timedelta(days=10), "1000.00", ["high_value_cancellation"]),
        (timedelta(hours=47), "100.00", ["late_cancellation"]),
        (timedelta(hours=48), "100.00", []),
        (timedelta(hours=1), "5000.00", ["late_cancellation", "high_value_cancellation"]),
    ],
)
def test_management_is_alerted_for_late_or_high_value_cancellations(
    notice: timedelta, total: str, kinds: list[str]
) -> None:
    price = Money(amount=Decimal(total), currency="EUR")
    assert CancellationPolicy().terms(price, CHECK_IN, cancelled_with_notice(notice)).alert_kinds == kinds


def test_high_value_threshold_is_configurable() -> None:
    policy = CancellationPolicy(high_value_threshold=Decimal("200.00"))
    terms = policy.terms(TOTAL, CHECK_IN, cancelled_with_notice(timedelta(days=10)))
    assert terms.alert_kinds == ["high_value_cancellation"]
