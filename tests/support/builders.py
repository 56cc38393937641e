"""Small builders of key data sets and participants for tests."""

from __future__ import annotations

import copy
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from gpid_node.chain.devchain import DEV_MNEMONIC

Account.enable_unaudited_hdwallet_features()

SELLER_EORI = "DE123456789012345"
BUYER_EORI = "GB123456789000"
SELLER_TRADER_ID = f"EORI:{SELLER_EORI}"
BUYER_TRADER_ID = f"EORI:{BUYER_EORI}"

_DESCRIPTIONS = [
    ("CNC milling spindle, 24 kW, HSK-A63", "84669340", "18450.00", 2, "310.500"),
    ("Tool holder set, shrink-fit, 12 pieces", "84661038", "2360.40", 1, "18.200"),
    ("Hydraulic press brake controller", "85371098", "7420.00", 1, "12.750"),
    ("Carbide end mills, 10 mm, box of 50", "82077010", "1275.50", 4, "6.300"),
    ("Ball screw assembly, 1,200 mm stroke", "84834021", "3980.00", 2, "44.900"),
    ("Linear guide rails with carriages", "84829900", "2145.75", 3, "61.400"),
    ("Spindle coolant pump, 400 V", "84137035", "865.00", 1, "23.100"),
    ("Servo motor 5.5 kW with encoder", "85015230", "3310.00", 2, "38.600"),
    ("Machine vice, 160 mm jaws", "84669120", "540.90", 2, "29.000"),
    ("Safety light curtain, type 4", "85365080", "1890.00", 1, "4.150"),
]


def dev_account(index: int) -> LocalAccount:
    """Account ``index`` of anvil's development mnemonic (funded on every dev chain)."""
    return Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")


def goods_line(sequence: int) -> dict[str, Any]:
    description, hs_code, value, packages, mass = _DESCRIPTIONS[(sequence - 1) % len(_DESCRIPTIONS)]
    return {
        "sequence": sequence,
        "description": description,
        "hs_code": hs_code,
        "binding_tariff_reference": None,
        "value": value,
        "currency": "EUR",
        "packages": packages,
        "net_mass_kg": mass,
        "preferential_origin": "EU",
        "country_of_origin": "DE",
    }


def key_data_set(
    invoice_number: str = "RM-2026-000123",
    lines: int = 1,
    seller_eori: str = SELLER_EORI,
    buyer_eori: str = BUYER_EORI,
    invoice_date: str = "2026-11-20",
) -> dict[str, Any]:
    """A valid, normalised key data set in the DESIGN.md JSON form."""
    return {
        "schema_version": "1",
        "seller": {
            "name": "Rhein Maschinenbau GmbH",
            "address": {"street": "Hafenstrasse 12", "postcode": "47119", "city": "Duisburg", "country": "DE"},
            "trader_id": {"scheme": "EORI", "value": seller_eori},
        },
        "buyer": {
            "name": "Thames Tools Ltd",
            "address": {"street": "1 Dock Road", "postcode": "E16 1AA", "city": "London", "country": "GB"},
            "trader_id": {"scheme": "EORI", "value": buyer_eori},
        },
        "invoice": {"number": invoice_number, "date": invoice_date},
        "goods": [goods_line(i) for i in range(1, lines + 1)],
    }


def amended(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy with top-level or dotted-path changes, e.g. ``**{"buyer.name": "X"}``."""
    result = copy.deepcopy(data)
    for path, value in changes.items():
        target = result
        *parents, leaf = path.split(".")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if leaf.isdigit():
            target[int(leaf)] = value
        else:
            target[leaf] = value
    return result
