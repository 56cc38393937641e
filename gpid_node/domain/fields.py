"""The key data set's field types, schema version 1: text, codes, trader IDs and dates, each with its
normal form and the message of its refusal (the amounts are :mod:`gpid_node.domain.amounts`'s).

Input is accepted leniently and normalised (text NFC and trimmed, codes upper-cased, HS codes without
dots); every refusal says what is accepted. Trader ID schemes: schema version 1 accepts ``EORI`` only
(:data:`TRADER_ID_SCHEMES`); another scheme needs its own shape rule in
:func:`trader_id_value_problem` and an entry in that table.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from gpid_node.domain import reference
from gpid_node.domain.canonical import normal_identifier as normalise_identifier

SCHEMA_VERSION = "1"
MAX_GOODS_LINES = 999
MAX_PACKAGES = 10_000_000
MASS_DECIMALS = 3
# Upper bounds (exclusive) that keep every amount exact and printable: 15 integer digits for a
# value in any currency, 9 for a net mass in kilograms (a million tonnes).
MAX_VALUE = Decimal(10) ** 15
MAX_NET_MASS_KG = Decimal(10) ** 9
# The registry keys identifiers of at most this many UTF-8 bytes in normal form (docs/protocol.md).
MAX_IDENTIFIER_BYTES = 70

NAME_MAX = 140
STREET_MAX = 140
POSTCODE_MAX = 17
CITY_MAX = 70
DESCRIPTION_MAX = 512
INVOICE_NUMBER_MAX = 35
BINDING_TARIFF_REFERENCE_MAX = 35
TRADER_ID_VALUE_MAX = 35

# Trader ID schemes schema version 1 accepts, with the longest value each allows.
TRADER_ID_SCHEMES: dict[str, int] = {"EORI": 2 + reference.EORI_MAX_SUFFIX}

_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


# --- messages -------------------------------------------------------------------------------------


def refusal(kind: str, message: str) -> PydanticCustomError:
    """A validation error of type ``kind`` whose message is ``message`` verbatim."""
    return PydanticCustomError(kind, "{message}", {"message": message})


def describe(value: Any) -> str:
    """A short rendering of an input value for an error message (JSON spelling where there is one)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, int):
        text = str(value) if value.bit_length() < 100 else "a number of more than 30 digits"
        return text
    if isinstance(value, (float, Decimal)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


# --- normal form ----------------------------------------------------------------------------------


# Unicode's categories Cc (control: C0, DEL and C1) and Cs (surrogates) as one character class: both
# are fixed for good (Unicode's stability policy), and a regular expression searches a text in C
# where a loop over unicodedata.category cost a registration a tenth of its validation.
_CONTROL_OR_SURROGATE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _control_character(text: str) -> str | None:
    """The first control character (or lone surrogate) in ``text``, if any."""
    found = _CONTROL_OR_SURROGATE.search(text)
    return None if found is None else found.group()


def _clean_text(value: Any, max_length: int) -> str:
    """Text normalised to NFC and trimmed, refused if empty, too long or holding control characters."""
    if not isinstance(value, str):
        raise refusal("text_type", f"expected text (a JSON string), got {describe(value)}")
    text = unicodedata.normalize("NFC", value).strip()
    bad = _control_character(text)
    if bad is not None:
        raise refusal(
            "text_control_character",
            f"must not contain control characters such as line breaks or tabs (found U+{ord(bad):04X})",
        )
    if not text:
        raise refusal("text_empty", "must not be empty")
    if len(text) > max_length:
        raise refusal("text_too_long", f"must have at most {max_length} characters, got {len(text)}")
    return text


def _text_type(max_length: int, description: str) -> Any:
    """An annotated ``str`` holding normalised text of 1 to ``max_length`` characters."""
    return Annotated[
        str,
        PlainValidator(lambda value: _clean_text(value, max_length)),
        WithJsonSchema({"type": "string", "minLength": 1, "maxLength": max_length, "description": description}),
    ]


Name = _text_type(NAME_MAX, "Company name, NFC, trimmed, no control characters.")
Street = _text_type(STREET_MAX, "Street and number.")
Postcode = _text_type(POSTCODE_MAX, "Postcode as written in the country of the address.")
City = _text_type(CITY_MAX, "City.")
Description = _text_type(DESCRIPTION_MAX, "Description of the goods as on the invoice.")
BindingTariffReference = _text_type(
    BINDING_TARIFF_REFERENCE_MAX, "Reference of a binding tariff information (BTI) decision."
)


def _parse_invoice_number(value: Any) -> str:
    """An invoice number as written (NFC, trimmed) whose normal form the registry can key."""
    text = _clean_text(value, INVOICE_NUMBER_MAX)
    size = len(normalise_identifier(text).encode("utf-8"))
    if size > MAX_IDENTIFIER_BYTES:
        raise refusal(
            "identifier_too_long",
            f"the invoice number in normal form takes {size} UTF-8 bytes; the registry keys at most "
            f"{MAX_IDENTIFIER_BYTES}",
        )
    return text


InvoiceNumber = Annotated[
    str,
    PlainValidator(_parse_invoice_number),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": INVOICE_NUMBER_MAX,
            "description": "Invoice number as written on the invoice (NFC, trimmed).",
        }
    ),
]


# --- codes ----------------------------------------------------------------------------------------


def _code_text(value: Any, expected: str) -> str:
    """A code given as text, trimmed and upper-cased; ``expected`` says what is accepted."""
    if not isinstance(value, str):
        raise refusal("code_type", f"expected {expected}, got {describe(value)}")
    return value.strip().upper()


_COUNTRY_EXPECTED = "an ISO 3166-1 alpha-2 country code such as DE"


def _parse_country(value: Any) -> str:
    code = _code_text(value, _COUNTRY_EXPECTED)
    if not reference.is_country(code):
        raise refusal("country_code", f"expected {_COUNTRY_EXPECTED}, got {describe(value)}")
    return code


CountryCode = Annotated[
    str,
    PlainValidator(_parse_country),
    WithJsonSchema({"type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2 country code."}),
]

_CURRENCY_EXPECTED = "an ISO 4217 currency code such as EUR"


def _parse_currency(value: Any) -> str:
    code = _code_text(value, _CURRENCY_EXPECTED)
    if code in reference.NOT_INVOICE_CURRENCIES:
        raise refusal(
            "currency_code",
            f"{code} is an ISO 4217 code for a metal, a unit of account or testing, not a currency an "
            f"invoice can be written in; expected {_CURRENCY_EXPECTED}",
        )
    if not reference.is_currency(code):
        raise refusal("currency_code", f"expected {_CURRENCY_EXPECTED}, got {describe(value)}")
    return code


CurrencyCode = Annotated[
    str,
    PlainValidator(_parse_currency),
    WithJsonSchema({"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 currency code."}),
]

_ORIGIN_EXPECTED = (
    "null, an ISO 3166-1 alpha-2 country code such as DE, or an origin group ("
    + ", ".join(sorted(reference.ORIGIN_GROUPS))
    + ")"
)


def _parse_preferential_origin(value: Any) -> str | None:
    if value is None:
        return None
    code = _code_text(value, _ORIGIN_EXPECTED)
    if not (reference.is_country(code) or reference.is_origin_group(code)):
        raise refusal("preferential_origin", f"expected {_ORIGIN_EXPECTED}, got {describe(value)}")
    return code


PreferentialOrigin = Annotated[
    str | None,
    PlainValidator(_parse_preferential_origin),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "pattern": "^[A-Z]{2}$"}, {"type": "null"}],
            "description": "Preferential origin: null, an ISO 3166-1 alpha-2 country, or an origin group "
            f"({', '.join(sorted(reference.ORIGIN_GROUPS))}).",
        }
    ),
]

_HS_EXPECTED = "6, 8 or 10 digits such as \"84669340\""


def _parse_hs_code(value: Any) -> str:
    """An HS subheading or commodity code: digits only, 6/8/10 of them, the first six existing."""
    if not isinstance(value, str):
        hint = " (write it as text: a number loses leading zeros)" if isinstance(value, (int, float)) else ""
        raise refusal("hs_code_type", f"expected an HS code of {_HS_EXPECTED}, got {describe(value)}{hint}")
    code = reference.strip_hs_separators(value)
    if not (code.isascii() and code.isdigit() and len(code) in (6, 8, 10)):
        raise refusal("hs_code_shape", f"expected an HS code of {_HS_EXPECTED}, got {describe(value)}")
    if not reference.is_hs_subheading(code[:6]):
        raise refusal(
            "hs_code_unknown",
            f"HS subheading {code[:6]} does not exist in the Harmonized System nomenclature",
        )
    return code


HSCode = Annotated[
    str,
    PlainValidator(_parse_hs_code),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[0-9]{6}(?:[0-9]{2}){0,2}$",
            "description": "HS subheading (6 digits) or commodity code (8 or 10 digits) whose first six digits "
            "are an existing HS subheading, digits only (the node removes dots and spaces written in it).",
        }
    ),
]


# --- trader IDs -----------------------------------------------------------------------------------

_SCHEMES_TEXT = ", ".join(sorted(TRADER_ID_SCHEMES))


def _parse_scheme(value: Any) -> str:
    if not isinstance(value, str):
        raise refusal("trader_id_scheme", f"expected a trader ID scheme ({_SCHEMES_TEXT}), got {describe(value)}")
    scheme = normalise_identifier(value)
    if scheme not in TRADER_ID_SCHEMES:
        raise refusal(
            "trader_id_scheme",
            f"expected a trader ID scheme schema version 1 accepts ({_SCHEMES_TEXT}), got {describe(value)}",
        )
    return scheme


def _parse_trader_id_value(value: Any) -> str:
    """A trader ID value in normal form (whitespace removed, a-z upper-cased), shape checked per scheme later."""
    if not isinstance(value, str):
        raise refusal("text_type", f"expected text (a JSON string), got {describe(value)}")
    return _clean_text(normalise_identifier(value), TRADER_ID_VALUE_MAX)


def trader_id_value_problem(scheme: str, value: str) -> str | None:
    """What is wrong with ``value`` as a trader ID of ``scheme``, or ``None`` if it fits."""
    if scheme == "EORI" and not reference.is_eori_shape(value):
        return (
            "expected an EORI number: an ISO 3166-1 country prefix such as DE followed by 1 to "
            f"{reference.EORI_MAX_SUFFIX} letters or digits (DE123456789012345), got {describe(value)}"
        )
    return None


TraderIdScheme = Annotated[
    Literal["EORI"],
    PlainValidator(_parse_scheme),
    WithJsonSchema({"type": "string", "enum": sorted(TRADER_ID_SCHEMES), "default": "EORI"}),
]
TraderIdValue = Annotated[
    str,
    PlainValidator(_parse_trader_id_value),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": TRADER_ID_VALUE_MAX,
            "description": "Trader ID in normal form; for EORI a country prefix and 1 to 15 of 0-9A-Z.",
        }
    ),
]


# --- dates ----------------------------------------------------------------------------------------


def _today(info: ValidationInfo) -> date:
    """Today in UTC, or the ``today`` the validation context gives (for deterministic tests)."""
    context = info.context
    if isinstance(context, Mapping) and isinstance(context.get("today"), date):
        given: date = context["today"]
        return given.date() if isinstance(given, datetime) else given
    return datetime.now(UTC).date()


def _parse_invoice_date(value: Any, info: ValidationInfo) -> date:
    """An invoice date ``YYYY-MM-DD`` (or a ``date``), not after today in UTC."""
    if isinstance(value, datetime):
        value = value.isoformat()
    if isinstance(value, date):
        day = value
    elif isinstance(value, str) and _DATE_TEXT.fullmatch(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise refusal("date", f"{describe(value)} is not a calendar date") from None
    else:
        raise refusal("date_type", f"expected a date written YYYY-MM-DD such as \"2026-11-20\", got {describe(value)}")
    today = _today(info)
    if day > today:
        raise refusal("date_in_future", f"the invoice date {day.isoformat()} is in the future (today is {today.isoformat()} in UTC)")
    return day


InvoiceDate = Annotated[
    date,
    PlainValidator(_parse_invoice_date),
    PlainSerializer(date.isoformat, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date", "description": "Invoice date, not in the future."}),
]


def _schema_version(value: Any) -> str:
    if value != SCHEMA_VERSION or not isinstance(value, str):
        raise refusal("schema_version", f"expected schema version \"{SCHEMA_VERSION}\" (text), got {describe(value)}")
    return value


SchemaVersion = Annotated[
    Literal["1"],
    PlainValidator(_schema_version),
    WithJsonSchema({"const": SCHEMA_VERSION, "type": "string"}),
]
