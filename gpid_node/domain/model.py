"""The key data set, schema version 1: its Pydantic model, its cross-field rules and their messages
(the field types are :mod:`gpid_node.domain.fields` and :mod:`gpid_node.domain.amounts`).

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

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails

from gpid_node.domain import canonical, reference
from gpid_node.domain.amounts import (
    NetMassKg,
    Packages,
    SequenceNumber,
    Value,
    decimal_text,
    sequence_problem,
    value_decimals_problem,
    with_places,
)
from gpid_node.domain.errors import FieldProblem, ValidationFailed, field_path
from gpid_node.domain.fields import (
    MAX_GOODS_LINES,
    BindingTariffReference,
    City,
    CountryCode,
    CurrencyCode,
    Description,
    HSCode,
    InvoiceDate,
    InvoiceNumber,
    Name,
    Postcode,
    PreferentialOrigin,
    SchemaVersion,
    Street,
    TraderIdScheme,
    TraderIdValue,
    describe,
    refusal,
    trader_id_value_problem,
)

# --- the models -----------------------------------------------------------------------------------


def _field_error(loc: tuple[str | int, ...], kind: str, message: str, value: Any, title: str) -> ValidationError:
    """A validation error at ``loc`` relative to the model being validated (pydantic prefixes the rest)."""
    return ValidationError.from_exception_data(
        title, [InitErrorDetails(type=refusal(kind, message), loc=loc, input=value)]
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
            InitErrorDetails(type=refusal("sequence", problem), loc=("goods", index, "sequence"), input=line.sequence)
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
