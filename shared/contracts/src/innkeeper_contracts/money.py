"""Money on the wire: amounts, ISO 4217 currencies, nightly rates, and the bounds that make every price
fit where it is stored."""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal
from typing import Annotated

import pycountry
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from .contract import Contract
from .stay import MAX_NIGHTS

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")
"""The largest amount PostgreSQL stores (`numeric(12,2)`, the type of every rate, price and refund)."""
MAX_NIGHTLY_RATE = (MAX_AMOUNT / MAX_NIGHTS).quantize(CENT, rounding=ROUND_DOWN)
"""333333333.33: the longest stay at the highest rate still has a price PostgreSQL can store."""


class AmountTooLargeError(ValueError):
    """A computed amount (a price: rate times nights) is above `MAX_AMOUNT`."""


def _two_places(value: Decimal) -> str:
    return str(value.quantize(CENT))


AMOUNT_PATTERN = r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,2})?$"
"""An amount as JSON carries it: a decimal string, at most ten digits before the point and two after."""
_AMOUNT = re.compile(AMOUNT_PATTERN)


def _decimal_string(value: object, info: ValidationInfo) -> object:
    """JSON amounts are strings of the pattern (no float's rounding, no "1e3", "NaN" or "1_000"); in
    Python, Decimal and int pass as they are. A float is refused everywhere."""
    if isinstance(value, float | bool) or (info.mode == "json" and not isinstance(value, str)):
        raise PydanticCustomError("amount_type", 'an amount is a decimal string such as "120.00"')
    if isinstance(value, str) and not _AMOUNT.fullmatch(value):
        raise PydanticCustomError(
            "amount_format", 'an amount reads like "120.00": digits, at most two decimals'
        )
    return value


Amount = Annotated[
    Decimal,
    BeforeValidator(_decimal_string),
    Field(ge=0, le=MAX_AMOUNT, max_digits=12, decimal_places=2),
    PlainSerializer(_two_places, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": AMOUNT_PATTERN,
            "maxLength": 13,
            "examples": ["120.00"],
            "title": "Amount",
        },
        mode="validation",
    ),
]
"""A money amount: a decimal with at most two places, sent as a string ("120.00"); never a float."""

NOT_MONEY = frozenset(
    {
        *("XAU", "XAG", "XPT", "XPD"),  # gold, silver, platinum, palladium
        *("XBA", "XBB", "XBC", "XBD"),  # bond-market units
        *("XDR", "XSU", "XUA", "XAD"),  # units of account of the IMF, ALBA, AfDB and Arab Monetary Fund
        *("XTS", "XXX"),  # reserved for testing; "no currency involved"
    }
)
"""ISO 4217 codes that are not money a hotel can price in. The standard lists them beside the currencies
(and pycountry with it, without telling them apart); the X-codes that are currencies stay: XAF, XCD,
XCG, XOF, XPF."""
CURRENCIES = tuple(sorted(c.alpha_3 for c in pycountry.currencies if c.alpha_3 not in NOT_MONEY))
"""The ISO 4217 currency codes, as pycountry's copy of the standard lists them, but for `NOT_MONEY`."""
_KNOWN_CURRENCIES = frozenset(CURRENCIES)


def _iso_4217(code: str) -> str:
    if code not in _KNOWN_CURRENCIES:
        raise PydanticCustomError("currency_code", "{code} is not an ISO 4217 currency code", {"code": code})
    return code


CurrencyCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    AfterValidator(_iso_4217),
    Field(examples=["EUR"], json_schema_extra={"enum": list(CURRENCIES)}),
]


class Money(Contract):
    """An amount in one currency."""

    amount: Amount
    currency: CurrencyCode

    def __mul__(self, factor: int) -> Money:
        """The amount `factor` times; AmountTooLargeError when that is more than can be stored."""
        amount = (self.amount * factor).quantize(CENT)
        if amount > MAX_AMOUNT:
            raise AmountTooLargeError(
                f"{self.amount} {self.currency} times {factor} is {amount}, above the largest amount, "
                f"{MAX_AMOUNT}"
            )
        return Money(amount=amount, currency=self.currency)


def _at_most_nightly_rate(rate: Money) -> Money:
    if rate.amount > MAX_NIGHTLY_RATE:
        raise PydanticCustomError(
            "nightly_rate_too_high",
            "a nightly rate is at most {maximum}, not {amount}",
            {"maximum": str(MAX_NIGHTLY_RATE), "amount": str(rate.amount)},
        )
    return rate


NightlyRate = Annotated[
    Money,
    AfterValidator(_at_most_nightly_rate),
    Field(
        description=f"The price of one night; its amount is at most {MAX_NIGHTLY_RATE}.",
    ),
]
"""Money with an amount of at most `MAX_NIGHTLY_RATE`, so that any stay's price can be stored."""
