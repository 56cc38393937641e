"""Typed views: the registry's structs and roles come back as named values built from the ABI's names."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest

from gpid_node.chain.artifacts import registry_abi
from gpid_node.chain.records import GPIDRecord, RegistryRole, VersionRecord, from_struct, snake_case
from gpid_node.domain import canonical, errors
from gpid_node.domain.gpid import GPID
from support.builders import SELLER_TRADER_ID, key_data_set
from support.invoice_keys import invoice_key

SELLER_KEY = canonical.trader_key(SELLER_TRADER_ID)


@pytest.mark.parametrize(("function", "record"), [("recordOf", GPIDRecord), ("versionOf", VersionRecord)])
def test_each_record_has_the_members_of_its_abi_struct_in_order(function: str, record: type) -> None:
    (item,) = [i for i in registry_abi() if i.get("name") == function and i["type"] == "function"]
    (output,) = item["outputs"]
    assert [snake_case(c["name"]) for c in output["components"]] == [f.name for f in fields(record)]


def test_a_struct_whose_members_moved_is_refused_not_misread() -> None:
    moved = {"components": [{"name": "version"}, {"name": "registeredAt"}, {"name": "issuer"}]}
    with pytest.raises(TypeError, match="GPIDRecord expects"):
        from_struct(GPIDRecord, moved, (1, 2, "0x"))


def test_record_and_version_of_a_registered_gpid_are_named_values(registry: Any) -> None:
    data, salt = key_data_set("VIEW-1"), b"\x11" * 32
    receipt = registry.register(data, salt)
    gpid = registry.client.gpid_for(SELLER_KEY, invoice_key(SELLER_KEY, "VIEW-1"))
    registered_at = registry.client.header(receipt.block_number).timestamp
    record = registry.client.record_of(gpid)
    assert record == GPIDRecord(issuer=registry.people.seller.address, registered_at=registered_at, version=1, links=0, format=1)
    assert record.exists
    version = registry.client.version_of(gpid, 1)
    assert version == VersionRecord(digest=canonical.commitments(data, salt).digest, author=registry.people.seller.address,
                                    time=registered_at, changed_sections=15, reason_code=0)  # fmt: skip


def test_an_unknown_gpid_reads_as_version_zero_and_its_versions_are_refused(registry: Any) -> None:
    unknown = GPID(b"\x01" * 16)
    assert not registry.client.record_of(unknown).exists
    with pytest.raises(errors.GPIDError):
        registry.client.version_of(unknown, 1)


def test_trader_keys_roles_and_customs_countries_of_accounts(registry: Any) -> None:
    client, people = registry.client, registry.people
    assert client.trader_key_of(people.seller.address) == SELLER_KEY
    assert client.trader_key_of(people.stranger.address) == b"\0" * 32
    assert client.has_role(RegistryRole.BROKER, people.broker.address)
    assert not client.has_role(RegistryRole.BROKER, people.stranger.address)
    assert client.has_role(RegistryRole.ONBOARDING, people.operator.address)
    assert client.role_id(RegistryRole.BROKER) == bytes(client.view("BROKER_ROLE"))
    assert client.customs_country_of(people.customs.address) == "GB"
    assert client.customs_country_of(people.stranger.address) is None
