"""Amounts on the wire are decimal strings: never a float (its rounding), never "1e3" or "NaN"."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from pydantic import ValidationError

from innkeeper_contracts import Money, SetNightlyRateBody
from innkeeper_contracts.money import AMOUNT_PATTERN, MAX_AMOUNT


@pytest.mark.parametrize("amount", [120.5, 120, True, "1e3", "1_000", "NaN", "1.005", " 1", "-1", "01.00"])
def test_a_json_amount_that_is_not_a_plain_decimal_string_is_refused(amount: object) -> None:
    body = json.dumps({"nightly_rate": {"amount": amount, "currency": "EUR"}})
    with pytest.raises(ValidationError, match="amount"):
        SetNightlyRateBody.model_validate_json(body)


def test_the_schema_pattern_says_what_is_accepted() -> None:
    pattern = re.compile(AMOUNT_PATTERN)
    assert pattern.fullmatch(str(MAX_AMOUNT))
    assert not pattern.fullmatch(str(MAX_AMOUNT + 1))
    assert Money.model_validate_json('{"amount": "0.5", "currency": "EUR"}').amount == Decimal("0.5")


def test_python_callers_pass_decimals_and_ints_but_no_float() -> None:
    assert Money(amount=Decimal("1.25"), currency="EUR").amount == Decimal("1.25")
    assert Money(amount=3, currency="EUR").amount == Decimal(3)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="decimal string"):
        Money(amount=1.25, currency="EUR")  # type: ignore[arg-type]
