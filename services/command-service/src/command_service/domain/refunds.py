"""Cancellation terms: how much is refunded and whether management hears about it.

The notice is the time between the cancellation and the check-in instant, which is the check-in
date at `CHECK_IN_TIME` (15:00 UTC). Full refund with at least 7 days of notice, half with at least
48 hours, none below that. Refunds are rounded to the cent, half up (in the guest's favour).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from innkeeper_contracts import CENT, Money
from innkeeper_contracts.events import AlertKind, RefundPolicy

CHECK_IN_TIME = time(15, 0, tzinfo=UTC)
"""Check-in instant of a stay = its check-in date at this time (UTC)."""
FULL_REFUND_NOTICE = timedelta(days=7)
HALF_REFUND_NOTICE = timedelta(hours=48)
LATE_CANCELLATION_NOTICE = HALF_REFUND_NOTICE
DEFAULT_HIGH_VALUE_THRESHOLD = Decimal("1000.00")

REFUND_FRACTIONS: dict[RefundPolicy, Decimal] = {
    "full": Decimal(1),
    "half": Decimal("0.5"),
    "none": Decimal(0),
}


def check_in_instant(check_in: date) -> datetime:
    return datetime.combine(check_in, CHECK_IN_TIME)


def refund_policy(notice: timedelta) -> RefundPolicy:
    """Which refund a cancellation with this much notice earns."""
    if notice >= FULL_REFUND_NOTICE:
        return "full"
    if notice >= HALF_REFUND_NOTICE:
        return "half"
    return "none"


def refund_amount(total_price: Money, policy: RefundPolicy) -> Money:
    amount = (total_price.amount * REFUND_FRACTIONS[policy]).quantize(CENT, rounding=ROUND_HALF_UP)
    return Money(amount=amount, currency=total_price.currency)


@dataclass(frozen=True)
class CancellationTerms:
    """What a cancellation costs and who must know."""

    policy: RefundPolicy
    refund: Money
    alert_kinds: list[AlertKind]


@dataclass(frozen=True)
class CancellationPolicy:
    """The rules of cancelling; the high-value threshold is a setting."""

    high_value_threshold: Decimal = DEFAULT_HIGH_VALUE_THRESHOLD

    def terms(self, total_price: Money, check_in: date, now: datetime) -> CancellationTerms:
        notice = check_in_instant(check_in) - now
        policy = refund_policy(notice)
        kinds: list[AlertKind] = []
        if notice < LATE_CANCELLATION_NOTICE:
            kinds.append("late_cancellation")
        if total_price.amount >= self.high_value_threshold:
            kinds.append("high_value_cancellation")
        return CancellationTerms(policy, refund_amount(total_price, policy), kinds)


@dataclass(frozen=True)
class Cancellation:
    """A booking's cancellation: when, why, and on which terms."""

    at: datetime
    reason: str
    terms: CancellationTerms
