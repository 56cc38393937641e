"""Rotating an encryption key while a real ``gpid-node dev`` serves (API process and engine process),
with the command an operator runs beside it: no restart, the node publishes the new key through its
own outbox, new registrations wrap to the new key, and what was wrapped to the old one stays readable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.chains import anvil_only
from support.cli import cli
from support.processes import credentials

from gpid_node.chain.keystore import EncryptionKeyring, EncryptionKeystore
from gpid_node.domain.encryption_keys import EncryptionKeyPair
from gpid_node.domain.gpid import GPID
from gpid_node.domain.samples import SELLER, sample_key_data_set
from gpid_node.services.block_rows import ContentKeys, open_registration
from gpid_node.services.devmode import DEV_PASSWORD
from gpid_node.store import index_writes
from gpid_node.store.database import Store, sqlite_url

pytestmark = [pytest.mark.slow, anvil_only("the development mode's embedded anvil (gpid-node dev starts its own chain)")]

# A buyer bound to no account and two countries with no Customs on chain: the seller's own key is the
# only recipient this node holds, so only a key the engine process holds opens it.
UNBOUND_BUYER = {"name": "Rotterdam Tools BV", "trader_id": {"scheme": "EORI", "value": "NL123456789"},
                 "address": {"street": "Kade 1", "postcode": "3011 AA", "city": "Rotterdam", "country": "NL"}}  # fmt: skip
SELLER_IN_AT = {**SELLER, "address": {**SELLER["address"], "country": "AT"}}


def _register(api: str, auth: dict[str, str], number: str, **parts: Any) -> str:
    answer = httpx.post(f"{api}/v1/key-data-sets", json=sample_key_data_set(number, lines=2, **parts), headers=auth, timeout=60)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["gpid"])


def _read(api: str, seller: dict[str, str], gpid: str) -> dict[str, Any]:
    answer = httpx.get(f"{api}/v1/key-data-sets/{gpid}", headers=seller, timeout=60)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _opened_by(data_dir: Path, gpid: str, account: str, pair: EncryptionKeyPair, issuer_keys: list[bytes]) -> bool:
    """Whether ``pair`` alone opens the GPID's registration as the chain carries it (the node's index keeps it)."""
    chain = credentials(data_dir)["chain"]
    keys = ContentKeys(EncryptionKeyring({account: [pair]}), int(chain["chain_id"]), chain["registry"])
    keys.refresh()
    gpid_hex = GPID.parse(gpid).hex
    store = Store(sqlite_url(data_dir))
    try:
        with store.session() as session:
            first = index_writes.versions_of(session, gpid_hex)[0]
    finally:
        store.dispose()
    committed = [bytes.fromhex(c.removeprefix("0x")) for c in first["commitments"]]
    return open_registration(keys, gpid_hex, first["payload"], committed, issuer_keys)[1] is not None


def test_a_key_rotated_while_the_node_serves_is_published_by_it_and_old_and_new_data_stay_readable(node: Any) -> None:
    process, api, seller_auth, data_dir = node
    seller = next(p["account"] for p in credentials(data_dir)["participants"] if p["role"] == "seller")
    keystore = EncryptionKeystore(data_dir / "keys", DEV_PASSWORD)
    [old] = keystore.load(seller) or []
    before = _register(api, seller_auth, "ROTATE-1")
    only_ours_before = _register(api, seller_auth, "ROTATE-2", seller=SELLER_IN_AT, buyer=UNBOUND_BUYER)

    rotated = cli(data_dir, "keys", "encryption", "rotate", "--data-dir", str(data_dir), "--account", seller)

    assert rotated.returncode == 0, rotated.stderr
    result = json.loads(rotated.stdout)
    [_, new] = keystore.load(seller) or []
    assert result["key_id"] == "0x" + new.key_id.hex() != "0x" + old.key_id.hex()
    assert (result["published"], result["indexed"], result["keys"]) == (True, True, 2), result
    listed = cli(data_dir, "keys", "encryption", "list", "--data-dir", str(data_dir), "--json")
    assert listed.returncode == 0, listed.stderr
    statuses = [(k["key_id"], k["current"], k["published"]) for k in json.loads(listed.stdout)["keys"] if k["account"] == seller]
    assert statuses == [("0x" + old.key_id.hex(), False, False), ("0x" + new.key_id.hex(), True, True)]

    after = _register(api, seller_auth, "ROTATE-3")  # the API process issues with the key it now publishes
    only_ours_after = _register(api, seller_auth, "ROTATE-4", seller=SELLER_IN_AT, buyer=UNBOUND_BUYER)

    assert process.poll() is None, "the node was not restarted"
    for gpid, number in ((before, "ROTATE-1"), (only_ours_before, "ROTATE-2"), (after, "ROTATE-3"), (only_ours_after, "ROTATE-4")):
        read = _read(api, seller_auth, gpid)
        assert read["data"] is not None and read["data"]["invoice"]["number"] == number, f"{number} unreadable: {read}"
        assert read["integrity"]["verified"] is True, read
    published = [old.public_bytes, new.public_bytes]
    assert _opened_by(data_dir, only_ours_before, seller, old, published)
    assert not _opened_by(data_dir, only_ours_before, seller, new, published)
    assert _opened_by(data_dir, only_ours_after, seller, new, published), "new data wraps to the new key"
    assert not _opened_by(data_dir, only_ours_after, seller, old, published), "and not to the old one"
    log = (data_dir.parent / f"{data_dir.name}-node.log").read_text(errors="replace")
    assert "keys.encryption_key_taken_on" in log and "engines.encryption_keys_added" in log
