"""The declaration Customs verifies, as ``POST /v1/verifications`` takes it: the request models and
their parsing, strict about what a declaration states (exact decimals, whole numbers, code shapes)
and with every problem named by its field path. The comparison is :mod:`gpid_node.domain.verification`'s.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from gpid_node.domain import canonical, reference
from gpid_node.domain.errors import FieldProblem, ValidationFailed, field_path
from gpid_node.domain.fields import MAX_GOODS_LINES, MAX_PACKAGES

_HS_CODE = re.compile(r"[0-9]{6,10}")
HS_SEPARATORS = str.maketrans("", "", " .")  # what an HS code may be written with
_COUNTRY = re.compile(r"[A-Z]{2}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_ORIGIN = re.compile(r"[A-Z]{2,16}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --------------------------------------------------------------------------------------------
# Request models
# --------------------------------------------------------------------------------------------


def _exact_decimal(value: Any) -> Any:
    """Strings and numbers to Decimal without float arithmetic; anything else is left to pydantic."""
    if isinstance(value, bool):
        raise PydanticCustomError(
            "decimal_type", "a decimal is a number or a string such as \"310.500\", not true/false"
        )
    if isinstance(value, float):
        # JSON numbers reach us as floats: their shortest repr equals the number as written; Decimal(float)
        # would be its binary expansion (0.1 -> 0.1000000000000000055...).
        if not math.isfinite(value):
            raise PydanticCustomError("decimal_finite", "a decimal must be a finite number")
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            raise PydanticCustomError(
                "decimal_parsing", f"{value!r} is not a decimal number; write it like \"18450.00\""
            ) from None
        if not parsed.is_finite():
            raise PydanticCustomError("decimal_finite", "a decimal must be a finite number")
        return parsed
    return value


def _strict_int(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "a whole number is expected, not true/false")
    return value


ExactDecimal = Annotated[Decimal, BeforeValidator(_exact_decimal), Field(ge=0, allow_inf_nan=False)]
WholeNumber = Annotated[int, BeforeValidator(_strict_int)]


def _shape(pattern: re.Pattern[str], value: str, kind: str, accepted: str) -> str:
    if not pattern.fullmatch(value):
        raise PydanticCustomError(f"{kind}_shape", f"{value!r} is not {accepted}")
    return value


def _known(value: str, exists: Callable[[str], bool], kind: str, accepted: str) -> str:
    """A code of the right shape that the reference data also knows ("NAN" has a currency's shape)."""
    if not exists(value):
        raise PydanticCustomError(f"{kind}_unknown", f"{value!r} is not {accepted}")
    return value


def _iso_text(value: Any) -> Any:
    """filed_at as ISO 8601 text: pydantic would read a number (or "-5") as seconds since 1970."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise PydanticCustomError("datetime_text", "filed_at is a date and time as ISO 8601 text with a time zone, "
                                  "e.g. 2026-11-21T09:30:00Z")  # fmt: skip
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class DeclaredItem(_Strict):
    """One goods line of the declaration, taken from one goods line of a key data set.

    Every field but ``gpid`` and ``goods_sequence`` is optional: left out or ``null`` means the
    declaration does not state it, and it is not checked.
    """

    gpid: str = Field(min_length=1, max_length=35, description="the GPID as written in the declaration")
    goods_sequence: WholeNumber = Field(ge=1, le=MAX_GOODS_LINES, description="the goods line's sequence number in the key data set")
    hs_code: str | None = Field(default=None, description="6 to 10 digits; spaces and dots are ignored")
    value: ExactDecimal | None = Field(default=None, description="the value as declared, e.g. \"18450.00\"")
    currency: str | None = Field(default=None, description="ISO 4217 code, upper case")
    packages: Annotated[WholeNumber, Field(ge=0, le=MAX_PACKAGES)] | None = None
    net_mass_kg: ExactDecimal | None = Field(default=None, description="kilograms, e.g. \"310.500\"")
    country_of_origin: str | None = Field(default=None, description="ISO 3166-1 alpha-2, upper case")
    preferential_origin: str | None = Field(default=None, description="a country (alpha-2) or a group such as EU")

    @field_validator("hs_code")
    @classmethod
    def _hs_code_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        accepted = "an HS code of 6 to 10 digits, such as 84669340"
        return _shape(_HS_CODE, value.translate(HS_SEPARATORS), "hs_code", accepted)

    @field_validator("currency")
    @classmethod
    def _currency_shape(cls, value: str | None) -> str | None:
        accepted = "an ISO 4217 code in upper case, such as EUR"
        return None if value is None else _known(_shape(_CURRENCY, value, "currency", accepted), reference.is_currency, "currency", accepted)

    @field_validator("country_of_origin")
    @classmethod
    def _country_shape(cls, value: str | None) -> str | None:
        accepted = "an ISO 3166-1 alpha-2 code in upper case, such as DE"
        return None if value is None else _known(_shape(_COUNTRY, value, "country", accepted), reference.is_country, "country", accepted)

    @field_validator("preferential_origin")
    @classmethod
    def _origin_shape(cls, value: str | None) -> str | None:
        accepted = "a country code (such as DE) or a group of countries (such as EU) in upper case"
        if value is None:
            return None
        code = _shape(_ORIGIN, value, "origin", accepted)
        return _known(code, lambda c: reference.is_country(c) or reference.is_origin_group(c), "origin", accepted)


class Declaration(_Strict):
    """The declaration being checked: who filed it where, when, and what it declares."""

    reference: str = Field(min_length=1, max_length=70, description="the declaration's reference (e.g. an MRN)")
    country: str = Field(description="ISO 3166-1 alpha-2 of the Customs administration, upper case")
    direction: Literal["export", "import"]
    filed_at: Annotated[datetime, BeforeValidator(_iso_text)] = Field(description="when the declaration was lodged, with a time zone")
    items: list[DeclaredItem] = Field(min_length=1, max_length=999)

    @field_validator("country")
    @classmethod
    def _country_shape(cls, value: str) -> str:
        return _shape(_COUNTRY, value, "country", "an ISO 3166-1 alpha-2 code in upper case, such as GB")

    @field_validator("reference")
    @classmethod
    def _reference_identifier(cls, value: str) -> str:
        """The contract's rule for a declaration reference (as a link checks it): a NUL, a control
        character or a lone surrogate would otherwise reach the outbox, the store and the pages."""
        normal = canonical.normal_identifier(value)
        if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in normal) or not canonical.is_normal_identifier(normal):
            raise PydanticCustomError(
                "reference_not_identifier",
                "a declaration reference is 1 to 70 bytes of printable text (spaces are ignored), "
                "without control characters",
            )
        return value

    @field_validator("filed_at")
    @classmethod
    def _aware_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise PydanticCustomError(
                "timezone_required",
                "filed_at has no time zone, so the version at filing cannot be determined; "
                "give it as UTC with Z or with an offset, e.g. 2026-11-21T09:30:00Z or 2026-11-21T10:30:00+01:00",
            )
        return value.astimezone(UTC)


class VerificationRequest(_Strict):
    """The body of ``POST /v1/verifications``."""

    declaration: Declaration


def parse_request(data: Any) -> VerificationRequest:
    """Validates a request body (a mapping, or JSON text/bytes); raises ValidationFailed listing every problem."""
    try:
        if isinstance(data, (str, bytes, bytearray)):
            return VerificationRequest.model_validate_json(data)
        return VerificationRequest.model_validate(data)
    except ValidationError as exc:
        problems = [FieldProblem(field_path(err["loc"]), err["msg"]) for err in exc.errors(include_url=False)]
        summary = "; ".join(f"{p.path}: {p.message}" for p in problems[:5])
        raise ValidationFailed(problems, message=f"the verification request is invalid: {summary}") from None
