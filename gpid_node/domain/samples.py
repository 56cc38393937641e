"""Realistic generated key data sets, for the demo, the benchmarks and the tests.

Deterministic for a given seed: descriptions, HS codes that exist, values with the currency's
decimals and masses vary per line the way a machinery exporter's invoices do.
"""

from __future__ import annotations

import copy
import random
from typing import Any

GOODS = (
    ("CNC milling spindle, 24 kW, HSK-A63", "84669340"),
    ("Tool holder set, shrink-fit, 12 pieces", "84661038"),
    ("Hydraulic press brake controller", "85371098"),
    ("Carbide end mills, 10 mm, box of 50", "82077010"),
    ("Ball screw assembly, 1,200 mm stroke", "84834021"),
    ("Linear guide rails with carriages", "84829900"),
    ("Spindle coolant pump, 400 V", "84137035"),
    ("Servo motor 5.5 kW with encoder", "85015230"),
    ("Machine vice, 160 mm jaws", "84669120"),
    ("Safety light curtain, type 4", "85365080"),
    ("Rotary table, 4th axis, 250 mm", "84669340"),
    ("Chip conveyor, hinged belt", "84283990"),
    ("Coolant filtration unit, 300 l", "84212900"),
    ("Touch probe with radio receiver", "90318080"),
    ("Grinding wheels, CBN, set of 6", "68042100"),
    ("Pneumatic cylinder, 80 mm bore", "84123100"),
)
SELLER = {
    "name": "Rhein Maschinenbau GmbH",
    "address": {"street": "Hafenstrasse 12", "postcode": "47119", "city": "Duisburg", "country": "DE"},
    "trader_id": {"scheme": "EORI", "value": "DE123456789012345"},
}
BUYER = {
    "name": "Thames Tools Ltd",
    "address": {"street": "1 Dock Road", "postcode": "E16 1AA", "city": "London", "country": "GB"},
    "trader_id": {"scheme": "EORI", "value": "GB123456789000"},
}


def goods_lines(count: int, rng: random.Random) -> list[dict[str, Any]]:
    lines = []
    for sequence in range(1, count + 1):
        description, hs_code = GOODS[rng.randrange(len(GOODS))]
        lines.append({
            "sequence": sequence,
            "description": f"{description}, lot {rng.randrange(100, 999)}",
            "hs_code": hs_code,
            "binding_tariff_reference": None,
            "value": f"{rng.randrange(5_000, 2_500_000) / 100:.2f}",
            "currency": "EUR",
            "packages": rng.randrange(1, 12),
            "net_mass_kg": f"{rng.randrange(500, 950_000) / 1000:.3f}",
            "preferential_origin": "EU",
            "country_of_origin": "DE",
        })  # fmt: skip
    return lines


def sample_key_data_set(
    invoice_number: str = "RM-2026-000123",
    lines: int = 10,
    *,
    seed: int | str = 0,
    invoice_date: str = "2026-11-20",
    seller: dict[str, Any] | None = None,
    buyer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A valid, normalised key data set in the DESIGN.md JSON form, a new copy at every call (a caller
    may change it without changing the next one)."""
    rng = random.Random(f"{seed}:{invoice_number}")
    return {
        "schema_version": "1",
        "seller": copy.deepcopy(seller or SELLER),
        "buyer": copy.deepcopy(buyer or BUYER),
        "invoice": {"number": invoice_number, "date": invoice_date},
        "goods": goods_lines(lines, rng),
    }
