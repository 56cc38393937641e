"""The key data set's amounts, schema version 1: values (with the currency's decimals), net masses
(grams) and whole numbers (sequence numbers, packages), accepted as text or JSON numbers and kept exact."""

from __future__ import annotations

import decimal
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)

from gpid_node.domain import reference
from gpid_node.domain.fields import (
    MASS_DECIMALS,
    MAX_GOODS_LINES,
    MAX_NET_MASS_KG,
    MAX_PACKAGES,
    MAX_VALUE,
    describe,
    refusal,
)

_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_WHOLE_NUMBER_TEXT = re.compile(r"[0-9]{1,12}")
_EXACT = decimal.Context(prec=60, traps=[decimal.InvalidOperation, decimal.Inexact])

# --- numbers --------------------------------------------------------------------------------------

_DECIMAL_EXPECTED = 'a decimal number such as "18450.00" (text or a JSON number)'


def _parse_decimal(value: Any) -> Decimal:
    """An exact decimal from text, an int or a float (through its shortest text, never binary arithmetic)."""
    if isinstance(value, bool):
        raise refusal("decimal_type", f"expected {_DECIMAL_EXPECTED}, got {describe(value)}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise refusal("decimal_finite", f"expected a finite {_DECIMAL_EXPECTED[2:]}, got {describe(value)}")
        return Decimal(str(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise refusal("decimal_finite", f"expected a finite {_DECIMAL_EXPECTED[2:]}, got {describe(value)}")
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= 64 and _DECIMAL_TEXT.fullmatch(text):
            return Decimal(text)
    raise refusal("decimal_type", f"expected {_DECIMAL_EXPECTED}, got {describe(value)}")


def decimal_places(number: Decimal) -> int:
    """How many decimals ``number`` needs (trailing zeros do not count: ``310.50`` needs 1)."""
    _, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    places = -exponent
    index = len(digits) - 1
    while places > 0 and index >= 0 and digits[index] == 0:
        places -= 1
        index -= 1
    return places


def decimal_text(number: Decimal) -> str:
    """Plain decimal notation, never an exponent."""
    return format(number, "f")


def with_places(number: Decimal, places: int) -> Decimal:
    """``number`` written with exactly ``places`` decimals (it must not need more)."""
    return number.quantize(Decimal(1).scaleb(-places), context=_EXACT)


def _positive_below(number: Decimal, limit: Decimal, digits: int) -> None:
    if number <= 0:
        raise refusal("decimal_positive", f"must be greater than 0, got {decimal_text(number)}")
    if number >= limit:
        raise refusal("decimal_too_large", f"must have at most {digits} digits before the decimal point")


def _parse_value(value: Any) -> Decimal:
    """A value as per the invoice: exact and positive (its decimals are checked against the currency)."""
    number = _parse_decimal(value)
    _positive_below(number, MAX_VALUE, 15)
    return number


def _parse_net_mass(value: Any) -> Decimal:
    """A net mass in kilograms: exact, positive, at most 3 decimals, written with exactly 3."""
    number = _parse_decimal(value)
    _positive_below(number, MAX_NET_MASS_KG, 9)
    places = decimal_places(number)
    if places > MASS_DECIMALS:
        raise refusal(
            "decimal_places",
            f"net mass in kg has at most {MASS_DECIMALS} decimals (grams); {decimal_text(number)} has {places}",
        )
    return with_places(number, MASS_DECIMALS)


def value_decimals_problem(value: Decimal, currency: str) -> str | None:
    """What is wrong with the decimals of ``value`` in ``currency``, or ``None`` if it fits."""
    allowed = reference.currency_minor_unit(currency)
    places = decimal_places(value)
    if places > allowed:
        return f"{currency} has {allowed} decimals; {decimal_text(value)} has {places}"
    return None


_DecimalOut = PlainSerializer(decimal_text, return_type=str, when_used="json")

Value = Annotated[
    Decimal,
    PlainValidator(_parse_value),
    _DecimalOut,
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "pattern": r"^[0-9]+(?:\.[0-9]+)?$"}, {"type": "number", "exclusiveMinimum": 0}],
            "description": "Value as per the invoice, > 0, with at most the currency's ISO 4217 minor-unit "
            "decimals; written as a string with exactly that many decimals.",
        }
    ),
]
NetMassKg = Annotated[
    Decimal,
    PlainValidator(_parse_net_mass),
    _DecimalOut,
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "pattern": r"^[0-9]+(?:\.[0-9]{1,3})?$"}, {"type": "number", "exclusiveMinimum": 0}],
            "description": "Net mass in kilograms, > 0, at most 3 decimals; written as a string with exactly 3.",
        }
    ),
]


def _parse_whole_number(value: Any) -> int:
    """A whole number from a JSON integer, an integral float or a text of digits (never a boolean)."""
    if isinstance(value, bool):
        pass
    elif isinstance(value, int):
        return value
    elif isinstance(value, float) and value.is_integer():
        return int(value)
    elif isinstance(value, str) and _WHOLE_NUMBER_TEXT.fullmatch(value.strip()):
        return int(value.strip())
    raise refusal("whole_number", f"expected a whole number such as 2, got {describe(value)}")


def _bounded_whole_number(low: int, high: int, what: str) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        number = _parse_whole_number(value)
        if not low <= number <= high:
            raise refusal("whole_number_range", f"{what} must be from {low} to {high}, got {describe(number)}")
        return number

    return parse


SequenceNumber = Annotated[
    int,
    PlainValidator(_bounded_whole_number(1, MAX_GOODS_LINES, "a sequence number")),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_GOODS_LINES}),
]
Packages = Annotated[
    int,
    PlainValidator(_bounded_whole_number(1, MAX_PACKAGES, "the number of packages")),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_PACKAGES}),
]


def sequence_problem(index: int, sequence: int) -> str | None:
    """What is wrong with goods line number ``sequence`` at position ``index`` (0-based), or ``None``."""
    if sequence != index + 1:
        return f"goods lines are numbered 1 to n in order without gaps: expected {index + 1} here, got {sequence}"
    return None
