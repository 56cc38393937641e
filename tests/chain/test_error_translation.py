"""Every custom error of the ABI reaches the user as a domain error (httpx-style: nothing slips through)."""

from __future__ import annotations

from eth_abi import encode

from gpid_node.chain.abi import abi_type, decode_error, error_names, signature
from gpid_node.chain.artifacts import registry_abi
from gpid_node.chain.errors import TRANSLATIONS, to_domain_error
from gpid_node.domain import errors as e
from gpid_node.domain.gpid import GPID
from eth_hash.auto import keccak


def test_every_abi_error_has_a_translation() -> None:
    assert set(error_names()) <= set(TRANSLATIONS), set(error_names()) - set(TRANSLATIONS)


def _sample(kind: str) -> object:
    return {
        "address": "0x" + "11" * 20,
        "bytes32": b"\x22" * 32,
        "bytes16": b"\x33" * 16,
        "bytes2": b"DE",
        "string": "rm-1",
        "bytes": b"",
    }.get(kind, 1)


def test_every_abi_error_translates_to_a_gpid_error_with_a_message() -> None:
    for item in (i for i in registry_abi() if i["type"] == "error"):
        types = [abi_type(i) for i in item["inputs"]]
        data = keccak(signature(item).encode())[:4] + encode(types, [_sample(t) for t in types])
        decoded = decode_error(data)
        assert decoded is not None and decoded.name == item["name"]
        error = to_domain_error(decoded)
        assert isinstance(error, e.GPIDError) and error.message, item["name"]
        assert error.contract_error is decoded


def test_duplicate_invoice_translates_to_conflict_with_the_gpid_text() -> None:
    item = next(i for i in registry_abi() if i.get("name") == "InvoiceAlreadyRegistered")
    data = keccak(signature(item).encode())[:4] + encode(["bytes32", "bytes16"], [b"\x01" * 32, b"\x02" * 16])
    error = to_domain_error(decode_error(data))
    assert isinstance(error, e.InvoiceAlreadyRegistered)
    assert error.gpid == str(GPID(b"\x02" * 16))


def test_caps_translate_to_their_conflicts_with_the_gpid_and_the_limit() -> None:
    for name, cls, member in (("TooManyVersions", e.TooManyVersions, "max_versions"), ("TooManyLinks", e.TooManyLinks, "max_links")):
        item = next(i for i in registry_abi() if i.get("name") == name)
        data = keccak(signature(item).encode())[:4] + encode(["bytes16", "uint32"], [b"\x02" * 16, 100])
        error = to_domain_error(decode_error(data))
        assert isinstance(error, cls), name
        assert error.details == {"gpid": str(GPID(b"\x02" * 16)), member: 100}
        assert "100" in error.message and str(GPID(b"\x02" * 16)) in error.message


def test_unknown_revert_data_is_not_decoded() -> None:
    assert decode_error("0xdeadbeef") is None
    assert decode_error(None) is None
