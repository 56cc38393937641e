"""The console's verification forms: a declaration keyed in per goods line or pasted as JSON, turned
into the body of ``POST /v1/verifications``, and the verdict set against the registered lines.
Pure but for :func:`report_of`, which reads the key data sets through the node's services."""

from __future__ import annotations

import json
from typing import Any

from gpid_node.api.ui import views
from gpid_node.domain import errors as e
from gpid_node.domain.access import Principal
from gpid_node.domain.addresses import checksum, is_address
from gpid_node.domain.gpid import GPID
from gpid_node.services.node import Node


def counting_number(text: str, below: int) -> int | None:
    """``text`` as a number from 1 to ``below - 1`` written in ASCII digits, else None.

    Not ``str.isdigit``: it holds for "²" and for 5,000 digits, which ``int`` then refuses (a 500)."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(below)):
        return None
    number = int(text)
    return number if 1 <= number < below else None


DIRECTIONS = ("export", "import")


def account_of(text: str | None) -> str | None:
    """An account address given in a query parameter (checksummed), else None: the console's notices
    name an account only when the parameter is one."""
    return checksum(text) if text and is_address(text) else None


def message_of(error: e.GPIDError) -> str:
    """A refusal in one sentence for the form that caused it: its message, then each field's problem."""
    problems = getattr(error, "problems", [])[:20]
    details = "; ".join(f"{p.path}: {p.message}" if p.path else p.message for p in problems)
    return f"{error.message.rstrip('.')}" + (f" ({details})" if details and details not in error.message else "")


def version_of(text: str | None) -> int | None:
    """The ``version`` query parameter of a page: None when absent, else a version number or a refusal."""
    if text in (None, ""):
        return None
    assert text is not None
    number = counting_number(text, 2**31)
    if number is None:
        raise e.ValidationFailed([e.FieldProblem("version", f"{text[:40]!r} is not a version number; versions count from 1")])
    return number


def keyed_defaults(answer: dict[str, Any], principal: Principal) -> dict[str, str]:
    data = answer["data"] or {}  # None: public facts only, no goods line to prefill
    country = principal.country or ""
    buyer_country = ((data.get("buyer") or {}).get("address") or {}).get("country")
    direction = "import" if country and country == buyer_country else "export"
    values = {"reference": "", "country": country, "direction": direction, "filed_at": views.now_iso()}
    for line in data.get("goods") or []:
        seq = line["sequence"]
        values[f"line-{seq}-include"] = "on"
        for name in views.DECLARED_FIELDS:
            values[f"line-{seq}-{name}"] = "" if line.get(name) is None else str(line[name])
    return values


def keyed_body(gpid: str, form: dict[str, str], sequences: list[int]) -> tuple[dict[str, Any], list[int]]:
    """The POST /v1/verifications body from the keyed-in form: only ticked lines, empty fields left out."""
    items, included = [], []
    for seq in sequences:
        if form.get(f"line-{seq}-include") != "on":
            continue
        item: dict[str, Any] = {"gpid": gpid, "goods_sequence": seq}
        for name in views.DECLARED_FIELDS:
            value = form.get(f"line-{seq}-{name}", "").strip()
            if value:
                item[name] = value.upper() if name in ("currency", "country_of_origin", "preferential_origin") else value
        items.append(item)
        included.append(seq)
    declaration = {"reference": form.get("reference", "").strip(), "country": form.get("country", "").strip().upper(),
                   "direction": form.get("direction", ""), "filed_at": form.get("filed_at", "").strip(), "items": items}  # fmt: skip
    return {"declaration": declaration}, included


def field_id(path: str, included: list[int]) -> str | None:
    """The form input a problem's field path names (``declaration.items[0].value`` → ``line-1-value``)."""
    parts = views.PATH_PARTS.findall(path)
    names = [name or f"[{index}]" for name, index in parts]
    if names[:1] != ["declaration"] or len(names) < 2:
        return None
    if names[1] == "items" and len(names) >= 4 and names[2].startswith("["):
        position = int(names[2][1:-1])
        if position < len(included):
            return f"line-{included[position]}-{names[3]}"
        return None
    return names[1] if names[1] in ("reference", "country", "direction", "filed_at") else None


def report_of(node: Node, principal: Principal, body: dict[str, Any], answer: dict[str, Any]) -> list[dict[str, Any]]:
    """Each GPID of a verification answer, its declared lines set against the version at filing."""
    declaration = body["declaration"]
    this = {"country": declaration["country"], "reference": declaration["reference"], "direction": declaration["direction"]}
    out = []
    for entry in answer["gpids"]:
        unknown = any(d.get("field") == "gpid" for d in entry["discrepancies"])
        data = None
        if not unknown:
            data = node.reads.key_data_set(entry["gpid"], principal, version=entry.get("version_at_filing") or 1)["data"]
        items = [item for item in declaration["items"] if _same_gpid(str(item.get("gpid")), entry["gpid"])]
        out.append({**entry, "unknown": unknown, "lines": views.line_checks(items, data, entry["discrepancies"]),
                    "reuse": views.reuse_of([*entry.get("other_declarations", []), this])})  # fmt: skip
    return out


def _same_gpid(a: str, b: str) -> bool:
    try:
        return GPID.parse(a) == GPID.parse(b)
    except e.InvalidGPID:
        return a.strip().upper() == b.strip().upper()


def example_body(gpid: str | None) -> str:
    item: dict[str, Any] = {"gpid": gpid or "GP…", "goods_sequence": 1, "hs_code": "84669340", "value": "18450.00",
                            "currency": "EUR", "packages": 2, "net_mass_kg": "310.500", "country_of_origin": "DE",
                            "preferential_origin": "EU"}  # fmt: skip
    return json.dumps({"declaration": {"reference": "", "country": "", "direction": "import", "filed_at": views.now_iso(),
                                       "items": [item]}}, indent=2, ensure_ascii=False)  # fmt: skip
