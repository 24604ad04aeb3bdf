"""Currencies are the ISO 4217 codes of money: not the metals, units of account and testing codes the
standard lists beside them."""

from typing import Any

import pytest
from pydantic import ValidationError

from innkeeper_contracts import Money
from innkeeper_contracts.money import CURRENCIES, NOT_MONEY


def rate(currency: str) -> dict[str, Any]:
    return {"amount": "1.00", "currency": currency}


@pytest.mark.parametrize("currency", ["EUR", "JPY", "CHF", "XOF", "XAF", "XCD", "XPF"])
def test_iso_4217_currencies_are_accepted(currency: str) -> None:
    assert Money.model_validate(rate(currency)).currency == currency


@pytest.mark.parametrize(
    ("currency", "error_type"),
    [("ABC", "currency_code"), ("EUX", "currency_code"), ("eur", "string_pattern_mismatch")],
)
def test_other_currency_codes_are_refused(currency: str, error_type: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Money.model_validate(rate(currency))
    assert [(e["loc"], e["type"]) for e in raised.value.errors()] == [(("currency",), error_type)]


@pytest.mark.parametrize(
    "code",
    ["XXX", "XTS", "XAU", "XAG", "XPT", "XPD", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA"],
)
def test_codes_that_are_not_money_are_refused_and_not_in_the_schema(code: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Money.model_validate(rate(code))
    [error] = raised.value.errors()
    assert (error["loc"], error["type"]) == (("currency",), "currency_code")
    assert error["msg"] == f"{code} is not an ISO 4217 currency code"
    assert code in NOT_MONEY
    assert code not in Money.model_json_schema()["properties"]["currency"]["enum"]


def test_the_only_x_codes_left_are_currencies() -> None:
    assert [code for code in CURRENCIES if code.startswith("X")] == ["XAF", "XCD", "XCG", "XOF", "XPF"]
