"""The key data set, schema version 1: its Pydantic model, its rules and their messages.

The JSON form (field names included) is fixed by DESIGN.md, "The key data set (schema version 1)".
Input is accepted leniently and normalised (text NFC and trimmed, codes upper-cased, HS codes
without dots, decimals given as numbers or text); ``model_dump(mode="json")`` gives the normalised
JSON form, decimals as strings with exactly the currency's (or, for mass, 3) decimals.

:func:`parse_key_data_set` is the entry point: it raises
:class:`~gpid_node.domain.errors.ValidationFailed` with every problem at once, each with its field
path (``goods[0].hs_code``) and a message that says what is accepted.

Trader ID schemes: schema version 1 accepts ``EORI`` only (:data:`TRADER_ID_SCHEMES`); another
scheme needs its own shape rule in :func:`trader_id_value_problem` and an entry in that table.
"""

from __future__ import annotations

import decimal
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from gpid_node.domain import canonical
from gpid_node.domain.canonical import normal_identifier as normalise_identifier
from gpid_node.domain import reference
from gpid_node.domain.errors import FieldProblem, ValidationFailed, field_path

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

_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE_NUMBER_TEXT = re.compile(r"[0-9]{1,12}")
_EXACT = decimal.Context(prec=60, traps=[decimal.InvalidOperation, decimal.Inexact])


# --- messages -------------------------------------------------------------------------------------


def _refusal(kind: str, message: str) -> PydanticCustomError:
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


def _control_character(text: str) -> str | None:
    """The first control character (or lone surrogate) in ``text``, if any."""
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cs"):
            return ch
    return None


def _clean_text(value: Any, max_length: int) -> str:
    """Text normalised to NFC and trimmed, refused if empty, too long or holding control characters."""
    if not isinstance(value, str):
        raise _refusal("text_type", f"expected text (a JSON string), got {describe(value)}")
    text = unicodedata.normalize("NFC", value).strip()
    bad = _control_character(text)
    if bad is not None:
        raise _refusal(
            "text_control_character",
            f"must not contain control characters such as line breaks or tabs (found U+{ord(bad):04X})",
        )
    if not text:
        raise _refusal("text_empty", "must not be empty")
    if len(text) > max_length:
        raise _refusal("text_too_long", f"must have at most {max_length} characters, got {len(text)}")
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
        raise _refusal(
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
        raise _refusal("code_type", f"expected {expected}, got {describe(value)}")
    return value.strip().upper()


_COUNTRY_EXPECTED = "an ISO 3166-1 alpha-2 country code such as DE"


def _parse_country(value: Any) -> str:
    code = _code_text(value, _COUNTRY_EXPECTED)
    if not reference.is_country(code):
        raise _refusal("country_code", f"expected {_COUNTRY_EXPECTED}, got {describe(value)}")
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
        raise _refusal(
            "currency_code",
            f"{code} is an ISO 4217 code for a metal, a unit of account or testing, not a currency an "
            f"invoice can be written in; expected {_CURRENCY_EXPECTED}",
        )
    if not reference.is_currency(code):
        raise _refusal("currency_code", f"expected {_CURRENCY_EXPECTED}, got {describe(value)}")
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
        raise _refusal("preferential_origin", f"expected {_ORIGIN_EXPECTED}, got {describe(value)}")
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
        raise _refusal("hs_code_type", f"expected an HS code of {_HS_EXPECTED}, got {describe(value)}{hint}")
    code = reference.strip_hs_separators(value)
    if not (code.isascii() and code.isdigit() and len(code) in (6, 8, 10)):
        raise _refusal("hs_code_shape", f"expected an HS code of {_HS_EXPECTED}, got {describe(value)}")
    if not reference.is_hs_subheading(code[:6]):
        raise _refusal(
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
        raise _refusal("trader_id_scheme", f"expected a trader ID scheme ({_SCHEMES_TEXT}), got {describe(value)}")
    scheme = normalise_identifier(value)
    if scheme not in TRADER_ID_SCHEMES:
        raise _refusal(
            "trader_id_scheme",
            f"expected a trader ID scheme schema version 1 accepts ({_SCHEMES_TEXT}), got {describe(value)}",
        )
    return scheme


def _parse_trader_id_value(value: Any) -> str:
    """A trader ID value in normal form (whitespace removed, a-z upper-cased), shape checked per scheme later."""
    if not isinstance(value, str):
        raise _refusal("text_type", f"expected text (a JSON string), got {describe(value)}")
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


# --- numbers --------------------------------------------------------------------------------------

_DECIMAL_EXPECTED = 'a decimal number such as "18450.00" (text or a JSON number)'


def _parse_decimal(value: Any) -> Decimal:
    """An exact decimal from text, an int or a float (through its shortest text, never binary arithmetic)."""
    if isinstance(value, bool):
        raise _refusal("decimal_type", f"expected {_DECIMAL_EXPECTED}, got {describe(value)}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _refusal("decimal_finite", f"expected a finite {_DECIMAL_EXPECTED[2:]}, got {describe(value)}")
        return Decimal(str(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _refusal("decimal_finite", f"expected a finite {_DECIMAL_EXPECTED[2:]}, got {describe(value)}")
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= 64 and _DECIMAL_TEXT.fullmatch(text):
            return Decimal(text)
    raise _refusal("decimal_type", f"expected {_DECIMAL_EXPECTED}, got {describe(value)}")


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
        raise _refusal("decimal_positive", f"must be greater than 0, got {decimal_text(number)}")
    if number >= limit:
        raise _refusal("decimal_too_large", f"must have at most {digits} digits before the decimal point")


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
        raise _refusal(
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
    raise _refusal("whole_number", f"expected a whole number such as 2, got {describe(value)}")


def _bounded_whole_number(low: int, high: int, what: str) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        number = _parse_whole_number(value)
        if not low <= number <= high:
            raise _refusal("whole_number_range", f"{what} must be from {low} to {high}, got {describe(number)}")
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
            raise _refusal("date", f"{describe(value)} is not a calendar date") from None
    else:
        raise _refusal("date_type", f"expected a date written YYYY-MM-DD such as \"2026-11-20\", got {describe(value)}")
    today = _today(info)
    if day > today:
        raise _refusal("date_in_future", f"the invoice date {day.isoformat()} is in the future (today is {today.isoformat()} in UTC)")
    return day


InvoiceDate = Annotated[
    date,
    PlainValidator(_parse_invoice_date),
    PlainSerializer(date.isoformat, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date", "description": "Invoice date, not in the future."}),
]


def _schema_version(value: Any) -> str:
    if value != SCHEMA_VERSION or not isinstance(value, str):
        raise _refusal("schema_version", f"expected schema version \"{SCHEMA_VERSION}\" (text), got {describe(value)}")
    return value


SchemaVersion = Annotated[
    Literal["1"],
    PlainValidator(_schema_version),
    WithJsonSchema({"const": SCHEMA_VERSION, "type": "string"}),
]


# --- the models -----------------------------------------------------------------------------------


def _field_error(loc: tuple[str | int, ...], kind: str, message: str, value: Any, title: str) -> ValidationError:
    """A validation error at ``loc`` relative to the model being validated (pydantic prefixes the rest)."""
    return ValidationError.from_exception_data(
        title, [InitErrorDetails(type=_refusal(kind, message), loc=loc, input=value)]
    )


class _Strict(BaseModel):
    """Base of the key data set models: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class TraderId(_Strict):
    """A trader's identifier: a scheme (``EORI``, the only one schema version 1 accepts) and its value."""

    scheme: TraderIdScheme = "EORI"
    value: TraderIdValue

    @model_validator(mode="after")
    def _value_fits_scheme(self) -> TraderId:
        problem = trader_id_value_problem(self.scheme, self.value)
        if problem is not None:
            raise _field_error(("value",), "trader_id_value", problem, self.value, "TraderId")
        return self


class Address(_Strict):
    """A postal address; ``country`` is ISO 3166-1 alpha-2."""

    street: Street
    postcode: Postcode
    city: City
    country: CountryCode


class Party(_Strict):
    """The seller or the buyer: company name, address and trader ID."""

    name: Name
    address: Address
    trader_id: TraderId


class Invoice(_Strict):
    """The commercial invoice the key data set describes: its number as written and its date."""

    number: InvoiceNumber
    date: InvoiceDate


class GoodsLine(_Strict):
    """One good on the invoice, numbered from 1."""

    sequence: SequenceNumber
    description: Description
    hs_code: HSCode
    binding_tariff_reference: BindingTariffReference | None = None
    value: Value
    currency: CurrencyCode
    packages: Packages
    net_mass_kg: NetMassKg
    preferential_origin: PreferentialOrigin = None
    country_of_origin: CountryCode

    @model_validator(mode="after")
    def _value_fits_currency(self) -> GoodsLine:
        problem = value_decimals_problem(self.value, self.currency)
        if problem is not None:
            raise _field_error(("value",), "decimal_places", problem, decimal_text(self.value), "GoodsLine")
        self.value = with_places(self.value, reference.currency_minor_unit(self.currency))
        return self


class KeyDataSet(_Strict):
    """The key data set of one commercial invoice, schema version 1 (DESIGN.md)."""

    schema_version: SchemaVersion
    seller: Party
    buyer: Party
    invoice: Invoice
    goods: Annotated[list[GoodsLine], Field(min_length=1, max_length=MAX_GOODS_LINES)]

    @model_validator(mode="after")
    def _goods_numbered_in_order(self) -> KeyDataSet:
        details = [
            InitErrorDetails(type=_refusal("sequence", problem), loc=("goods", index, "sequence"), input=line.sequence)
            for index, line in enumerate(self.goods)
            if (problem := sequence_problem(index, line.sequence)) is not None
        ]
        if details:
            raise ValidationError.from_exception_data("KeyDataSet", details)
        return self


# --- parsing with every problem at once -----------------------------------------------------------


def _model_at(loc: Iterable[str | int]) -> type[BaseModel] | None:
    """The model class that validates the object at ``loc`` inside a key data set, if any."""
    model: type[BaseModel] | None = KeyDataSet
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return None
        model = _FIELD_MODELS.get((model, part))
    return model


_FIELD_MODELS: dict[tuple[type[BaseModel], str], type[BaseModel]] = {
    (KeyDataSet, "seller"): Party,
    (KeyDataSet, "buyer"): Party,
    (KeyDataSet, "invoice"): Invoice,
    (KeyDataSet, "goods"): GoodsLine,
    (Party, "address"): Address,
    (Party, "trader_id"): TraderId,
}


def _fields_text(model: type[BaseModel] | None) -> str:
    return ", ".join(model.model_fields) if model is not None else "?"


def _message(error: Mapping[str, Any]) -> str:
    """The message a trader reads for one pydantic error (pydantic's own where it is already clear)."""
    kind = error["type"]
    loc = tuple(error["loc"])
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "this field is required"
    if kind == "extra_forbidden":
        return f"unknown field {describe(loc[-1]) if loc else ''}; accepted here: {_fields_text(_model_at(loc[:-1]))}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected an object with the fields {_fields_text(_model_at(loc))}, got {describe(error.get('input'))}"
    if kind == "list_type":
        return f"expected a list of goods lines, got {describe(error.get('input'))}"
    if kind == "too_short":
        return f"at least {ctx.get('min_length', 1)} goods line is required"
    if kind == "too_long":
        return f"at most {ctx.get('max_length', MAX_GOODS_LINES)} goods lines per key data set, got {ctx.get('actual_length')}"
    return str(error["msg"])


def problems_of(error: ValidationError) -> list[FieldProblem]:
    """Every problem a pydantic ``ValidationError`` holds, as field problems."""
    return [FieldProblem(field_path(e["loc"]), _message(e)) for e in error.errors(include_url=False)]


_SEQUENCE = TypeAdapter(SequenceNumber)
_VALUE = TypeAdapter(Value)
_CURRENCY = TypeAdapter(CurrencyCode)


def _valid_or_none(adapter: TypeAdapter[Any], value: Any) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


def _cross_field_problems(data: Any, reported: set[str]) -> list[FieldProblem]:
    """Problems between fields that pydantic skips once a neighbouring field failed.

    The value-against-currency check runs after a goods line validates, the sequence check after the
    whole data set validates; here both run on the raw input, for the fields that parse on their own.
    """
    goods = data.get("goods") if isinstance(data, Mapping) else None
    if not isinstance(goods, list) or len(goods) > MAX_GOODS_LINES:
        return []
    found: list[FieldProblem] = []
    for index, line in enumerate(goods):
        if not isinstance(line, Mapping):
            continue
        sequence = _valid_or_none(_SEQUENCE, line.get("sequence"))
        path = f"goods[{index}].sequence"
        if sequence is not None and path not in reported and (problem := sequence_problem(index, sequence)):
            found.append(FieldProblem(path, problem))
        value = _valid_or_none(_VALUE, line.get("value"))
        currency = _valid_or_none(_CURRENCY, line.get("currency"))
        path = f"goods[{index}].value"
        if value is not None and currency is not None and path not in reported:
            if problem := value_decimals_problem(value, currency):
                found.append(FieldProblem(path, problem))
    return found


def _in_document_order(problems: list[FieldProblem]) -> list[FieldProblem]:
    """Problems in document order: the data set's own first, then each goods line's in field order."""
    fields = list(GoodsLine.model_fields)

    def position(problem: FieldProblem) -> tuple[int, int]:
        match = re.match(r"goods\[(\d+)\]\.?(\w*)", problem.path)
        if match is None:
            return (-1, 0)
        name = match.group(2)
        return (int(match.group(1)), fields.index(name) if name in fields else len(fields))

    return sorted(problems, key=position)


def parse_key_data_set(data: Any, *, today: date | None = None) -> KeyDataSet:
    """Validate and normalise a key data set given as JSON-like Python data.

    ``today`` overrides the UTC date the invoice date is checked against. Raises
    :class:`ValidationFailed` listing every problem, each with its field path.
    """
    context = {"today": today} if today is not None else None
    try:
        return KeyDataSet.model_validate(data, context=context)
    except ValidationError as error:
        problems = problems_of(error)
    problems += _cross_field_problems(data, {p.path for p in problems})
    raise ValidationFailed(_in_document_order(problems))


def trader_id_text(tid: TraderId) -> str:
    """``SCHEME:VALUE`` in normal form (``EORI:DE123456789012345``), the text the registry binds."""
    return canonical.trader_id_text({"scheme": tid.scheme, "value": tid.value})
