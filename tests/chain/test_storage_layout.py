"""The slots a proof bundle proves are where solc puts the registry's state: its storageLayout output
for GPIDRegistry gives ``_records`` and ``_versions`` the slots, and ``Record`` and ``VersionInfo``
the member offsets, that domain/registry_storage.py derives from the declarations. (A test on a
real anvil, tests/api/routes/test_proof_bundles.py, reads the derived slots with eth_getStorageAt.)"""

from __future__ import annotations

from typing import Any

import pytest

from gpid_node.chain import build
from gpid_node.domain import registry_storage


@pytest.fixture(scope="module")
def layout() -> dict[str, Any]:
    return build.storage_layout("GPIDRegistry")


def _struct(layout: dict[str, Any], label: str) -> dict[str, Any]:
    (name,) = [t for t, info in layout["types"].items() if info.get("label") == f"struct IGPIDRegistry.{label}"]
    return layout["types"][name]


def test_the_mappings_sit_in_the_slots_the_bundle_derives(layout: dict[str, Any]) -> None:
    slots = {entry["label"]: (int(entry["slot"]), entry["offset"]) for entry in layout["storage"]}
    assert slots["_roles"] == (registry_storage.ROLES_SLOT, 0)
    assert slots["_records"] == (registry_storage.RECORDS_SLOT, 0)
    assert slots["_versions"] == (registry_storage.VERSIONS_SLOT, 0)


def test_the_structs_members_sit_where_the_bundle_reads_them(layout: dict[str, Any]) -> None:
    version_info = {m["label"]: (int(m["slot"]), m["offset"]) for m in _struct(layout, "VersionInfo")["members"]}
    assert version_info["digest"] == (0, registry_storage.VERSION_DIGEST_OFFSET)
    record = _struct(layout, "Record")
    assert int(record["numberOfBytes"]) == 32, "the record is one word"
    members = {m["label"]: (int(m["slot"]), m["offset"], int(layout["types"][m["type"]]["numberOfBytes"])) for m in record["members"]}
    assert members == {name: (0, offset, size) for name, (offset, size) in registry_storage.RECORD_MEMBERS.items()}
