"""Proof of confidentiality on a real chain (issue 19, item 5 a and c; docs/security.md, "Confidentiality").

(a) After a registration, an amendment and a grant by a development node, everything the chain holds
of them, the raw transactions (``eth_getTransactionByHash`` input) and every log of their blocks
(``eth_getLogs`` data and topics), is searched byte by byte, raw and in every raw-deflate, zlib and
gzip inflation of any substring that inflates, for the buyer's name, a goods description, a value,
the amendment's reason in words, the buyer's trader ID and its unsalted trader key (as bytes, as
hex text and as UTF-16): none is
found; nor the invoice number, as written, in normal form, or hashed as a registry before invoice
keys hashed it (a dictionary attack with the seller's trader ID would test exactly those). The same
search finds each of them in a format-1 payload (the search is not blind), and what docs/security.md
lists as public (the seller's keyed invoice key in the registration's calldata, the registry key and
the seller's trader key in its event, the grantee) is where it says. Nor does the registration name its recipients: its
transaction and events hold none of the 32-byte key ids of the seller, the buyer and the Customs of
both countries, nor any 8-byte prefix of one, while each recipient's hint is there.

(c) A key rotated mid-way keeps old versions readable: after the seller's node rotates its
encryption key, it still reads version 1 of a GPID wrapped to the old key, a new registration wraps
to the new key only, and a fresh index built with the keys of the data folder opens both (with the
new key alone, only the new one).
"""

from __future__ import annotations

import gzip
import re
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from api.harness import BUYER, CUSTOMS_DE, CUSTOMS_GB, IMPORT_BROKER, SELLER, Api, fresh_key_data_set, next_second
from support.contract_checks import payload_of
from support.processes import ROOT
from support.recipients import hint, hints_of

from gpid_node.chain.abi import decode_log, event_topic
from gpid_node.chain.keystore import EncryptionKeyring, EncryptionKeystore
from gpid_node.domain import canonical, payload_crypto
from gpid_node.domain.gpid import GPID
from gpid_node.services.devmode import DEV_PASSWORD, DEV_SCRYPT_N
from gpid_node.services.encryption_keys import rotate_key
from gpid_node.services.indexer import Indexer
from gpid_node.store import queries
from gpid_node.store.database import Store, sqlite_url

INFLATE_MODES = {"raw deflate": -15, "zlib": 15, "gzip": 31}
MAX_INFLATED = 8 * 1024 * 1024


# ---------------------------------------------------------------------- the search


def inflations(blob: bytes) -> Iterator[tuple[str, int, bytes]]:
    """Whatever any substring of ``blob`` inflates to, in each mode: (mode, offset, output) for every
    offset where inflating yields bytes before the stream ends or breaks."""
    for offset in range(len(blob)):
        for mode, wbits in INFLATE_MODES.items():
            inflater = zlib.decompressobj(wbits)
            produced = bytearray()
            rest = blob[offset:]
            try:
                for at in range(0, len(rest), 64):  # in small pieces: what came before a break is kept
                    produced += inflater.decompress(rest[at : at + 64], MAX_INFLATED - len(produced))
                    if inflater.eof or len(produced) >= MAX_INFLATED:
                        break
            except zlib.error:
                pass
            if produced:
                yield mode, offset, bytes(produced)


def forms_of(secret: str | bytes) -> dict[str, bytes]:
    """The byte forms a secret could travel in: UTF-8 (or raw bytes), hex text in both cases, UTF-16."""
    raw = secret.encode("utf-8") if isinstance(secret, str) else secret
    forms = {"bytes": raw, "hex": raw.hex().encode(), "HEX": raw.hex().upper().encode()}
    if isinstance(secret, str):
        forms["utf-16-le"] = secret.encode("utf-16-le")
        forms["utf-16-be"] = secret.encode("utf-16-be")
    return forms


def leaks(blobs: dict[str, bytes], secrets: dict[str, str | bytes]) -> list[str]:
    """Every secret found in any blob, raw or inflated, named with where and how it was found."""
    needles = {(name, form): needle for name, secret in secrets.items() for form, needle in forms_of(secret).items()}
    found = []
    for where, blob in blobs.items():
        candidates = [("raw", 0, blob), *inflations(blob)]
        for mode, offset, candidate in candidates:
            for (name, form), needle in needles.items():
                if needle in candidate:
                    found.append(f"{name} ({form}) in {where}, {mode} at byte {offset}")
    return found


def rpc(api: Api, method: str, *params: Any) -> Any:
    answer = httpx.post(api.env.chain.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, timeout=30)
    body = answer.json()
    assert "error" not in body, body
    return body["result"]


def unhex(text: str) -> bytes:
    return bytes.fromhex(text[2:] if text.startswith("0x") else text)


def chain_bytes(api: Api, transactions: list[str], first_block: int, last_block: int) -> dict[str, bytes]:
    """The raw input of each transaction, and the data and topics of every log from first_block to last_block."""
    blobs = {f"input of {h}": unhex(rpc(api, "eth_getTransactionByHash", h)["input"]) for h in transactions}
    logs = rpc(api, "eth_getLogs", {"fromBlock": hex(first_block), "toBlock": hex(last_block)})
    assert logs, "the writes left no log"
    for log in logs:
        where = f"log {int(log['logIndex'], 16)} of block {int(log['blockNumber'], 16)}"
        blobs[where] = unhex(log["data"]) + b"".join(unhex(t) for t in log["topics"])
    return blobs


# ---------------------------------------------------------------------- (a) nothing readable on chain


def test_the_search_finds_every_secret_in_a_format_1_payload_and_in_compressed_bytes_anywhere() -> None:
    """The search is not blind: a plaintext payload gives every secret away, and so does deflated,
    zlib or gzip data hidden at any offset of other bytes."""
    data = fresh_key_data_set()
    secrets: dict[str, str | bytes] = {"buyer name": data["buyer"]["name"], "description": data["goods"][0]["description"],
                                       "value": data["goods"][0]["value"]}  # fmt: skip
    found = leaks({"format-1 payload": canonical.encode_payload(data, b"\x07" * 32)}, secrets)
    assert {line.split(" (")[0] for line in found} == set(secrets), found
    text = data["buyer"]["name"].encode()
    hidden = {
        "zlib": b"\x00\x11" * 20 + zlib.compress(text),
        "gzip": b"\xff" * 7 + gzip.compress(text),
        "utf-16": b"\x01" + data["buyer"]["name"].encode("utf-16-le"),
        "hex": b"\x02" + text.hex().encode(),
    }
    for where, blob in hidden.items():
        assert leaks({where: blob}, {"buyer name": data["buyer"]["name"]}), where


def test_a_registration_an_amendment_and_a_grant_put_no_plaintext_on_chain(api: Api) -> None:
    tag = uuid.uuid4().hex[:10].upper()
    data = fresh_key_data_set()
    data["buyer"]["name"] = f"Thames Tools {tag} Ltd"
    data["goods"][0]["description"] = f"Precision spindle {tag}, 24 kW"
    data["invoice"]["number"] = f"rm-2026/{tag.lower()}"  # as written; its normal form differs
    number = canonical.normal_identifier(data["invoice"]["number"])
    assert data["goods"][0]["value"] == "18450.00"
    buyer_trader_id = canonical.trader_id_text(data["buyer"]["trader_id"])
    seller_key = canonical.trader_key(canonical.trader_id_text(data["seller"]["trader_id"]))
    registered = api.register(data)
    gpid = registered["gpid"]
    assert api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(SELLER)).json()["data"]["buyer"]["name"] == data["buyer"]["name"]

    next_second()
    goods = [dict(data["goods"][0], value="17999.00", description=f"Precision spindle {tag}, 24 kW, with cooling")]
    reason = f"unit price corrected from 18450.00 to 17999.00 EUR, credit note {tag}-CN"
    amended = api.client.post(f"/v1/key-data-sets/{gpid}/amendments", headers=api.auth(SELLER),
                              json={"changes": {"goods": goods}, "reason": reason, "reason_code": "price"})  # fmt: skip
    assert amended.status_code == 201, amended.text
    history = api.client.get(f"/v1/key-data-sets/{gpid}/history", headers=api.auth(SELLER)).json()
    assert history["versions"][1]["reason"] == reason, "the seller reads its reason back"
    grantee = api.participants[IMPORT_BROKER]["account"]
    granted = api.client.post(f"/v1/key-data-sets/{gpid}/grants", headers=api.auth(SELLER),
                              json={"grantee": grantee, "reason": f"import declaration for {data['buyer']['name']}"})  # fmt: skip
    assert granted.status_code == 201, granted.text
    # The grantee reads it now: the chain carried what it needed, encrypted.
    assert api.client.get(f"/v1/key-data-sets/{gpid}", headers=api.auth(IMPORT_BROKER)).json()["data"]["goods"][0]["value"] == "17999.00"

    transactions = [registered["transaction"], amended.json()["transaction"], granted.json()["transaction"]]
    blobs = chain_bytes(api, transactions, registered["block"], granted.json()["block"])
    secrets: dict[str, str | bytes] = {
        "buyer name": data["buyer"]["name"],
        "buyer street": data["buyer"]["address"]["street"],
        "goods description": data["goods"][0]["description"],
        "amended description": goods[0]["description"],
        "unique tag": tag,
        "value": "18450.00",
        "amended value": "17999.00",
        "amendment reason": reason,
        "amendment reason's credit note": f"{tag}-CN",
        "net mass": data["goods"][0]["net_mass_kg"],
        "buyer trader ID": buyer_trader_id,
        "buyer EORI": data["buyer"]["trader_id"]["value"],
        "buyer trader key": canonical.trader_key(buyer_trader_id),
        "invoice number as written": data["invoice"]["number"],
        "invoice number in normal form": number,
        "invoice number's serial": tag.lower(),
        "keccak256 of the invoice number": canonical.keccak(number.encode()),
        "registry key of the invoice number before invoice keys": canonical.legacy_registry_key(seller_key, number),
    }
    assert leaks(blobs, secrets) == []

    # What docs/security.md lists as public is where it says: the seller's keyed invoice key in the
    # registration's calldata, the registry key derived from it and the seller's trader key in its
    # event, the grantee in the grant's.
    invoice_key = api.node.registration.invoice_key(seller_key, data["invoice"]["number"])
    assert invoice_key in blobs[f"input of {registered['transaction']}"]
    assert any(canonical.registry_key(seller_key, invoice_key) in blob for where, blob in blobs.items() if where.startswith("log"))
    assert any(seller_key in blob for where, blob in blobs.items() if where.startswith("log"))
    assert any(unhex(grantee.lower()) in blob for where, blob in blobs.items() if where.startswith("log"))

    # Nor who the registration is for: no recipient's key id, nor any 8-byte piece of one, in its
    # transaction or in its block's events; each recipient's hint is there (the search is not blind).
    registration = chain_bytes(api, [registered["transaction"]], registered["block"], registered["block"])
    recipients = {name: api.node.keyring.encryption.current(api.participants[name]["account"]) for name in (SELLER, BUYER, CUSTOMS_DE, CUSTOMS_GB)}
    key_ids: dict[str, str | bytes] = {}
    for name, pair in recipients.items():
        assert pair is not None
        key_ids[f"key id of {name}"] = pair.key_id
        key_ids.update({f"key id of {name}, bytes {i}-{i + 8}": pair.key_id[i : i + 8] for i in range(0, 25)})
    assert leaks(registration, key_ids) == []
    payload = _registered_payload(api, gpid)
    binding = payload_crypto.Binding(api.node.client.chain_id, api.node.client.address, GPID.parse(gpid))
    seller_key_pair = recipients[SELLER]
    assert seller_key_pair is not None
    hints = {hint(seller_key_pair.public_bytes, pair, binding) for pair in recipients.values() if pair is not None}
    assert hints_of(payload) == hints and all(h in registration[f"input of {registered['transaction']}"] for h in hints)


# ---------------------------------------------------------------------- the threat model names real tests


def named_tests(document: str) -> tuple[set[str], list[tuple[str, str]]]:
    """The test files a document names (`tests/….py`) and its tests (`tests/….py::name`, and `::name`
    right after, naming a test of the same file)."""
    files: set[str] = set()
    tests: list[tuple[str, str]] = []
    current = None
    for token in re.findall(r"`([^`]+)`", document):
        if match := re.fullmatch(r"(tests/[\w/]+\.py)(?:::(\w+)(?:\[[^\]]*\])?)?", token):
            current = match.group(1)
            files.add(current)
            if match.group(2):
                tests.append((current, match.group(2)))
        elif (match := re.fullmatch(r"::(\w+)(?:\[[^\]]*\])?", token)) and current:
            tests.append((current, match.group(1)))
    return files, tests


def test_every_test_the_threat_model_names_exists() -> None:
    """docs/security.md maps each threat to the test that shows its control: each named test is there."""
    files, tests = named_tests((ROOT / "docs" / "security.md").read_text(encoding="utf-8"))
    assert len(tests) > 150
    assert [f for f in sorted(files) if not (ROOT / f).is_file()] == []
    missing = [f"{f}::{name}" for f, name in tests
               if not re.search(rf"^def {name}\(", (ROOT / f).read_text(encoding="utf-8"), re.MULTILINE)]  # fmt: skip
    assert missing == []


# ---------------------------------------------------------------------- (c) rotation


def _registered_payload(api: Api, gpid: str) -> bytes:
    logs = api.node.client.find_logs(event_topic("KeyDataSetRegistered"), GPID.parse(gpid).raw)
    return payload_of(api.node.client, decode_log(logs[0]))


def _fresh_index(api: Api, folder: Path, encryption: EncryptionKeyring, gpids: list[str]) -> dict[str, bool]:
    """Builds a new index of the whole chain with only these keys; whether each GPID's data is readable there."""
    folder.mkdir(parents=True, exist_ok=True)
    store = Store(sqlite_url(folder))
    store.migrate()
    try:
        indexer = Indexer(store, api.node.client, start_block=api.env.deployment.block, encryption=encryption)
        for _ in range(100):  # a few thousand blocks a sync
            indexer.sync()
            if not indexer.lag():
                break
        readable = {}
        with store.session() as session:
            for gpid in gpids:
                versions = queries.versions(session, GPID.parse(gpid).hex)
                readable[gpid] = bool(versions) and all(v.data is not None for v in versions)
        return readable
    finally:
        store.dispose()


def test_a_key_rotated_mid_way_keeps_old_versions_readable_and_new_data_wraps_to_the_new_key(api: Api, tmp_path: Path) -> None:
    seller = api.participants[SELLER]["account"]
    before = fresh_key_data_set()
    old_gpid = api.register(before)["gpid"]
    old_pair = api.node.keyring.encryption.current(seller)
    assert old_pair is not None

    keystore = EncryptionKeystore(api.settings.data_dir / "keys", DEV_PASSWORD, scrypt_n=DEV_SCRYPT_N)
    rotated = rotate_key(api.node.client, api.node.keyring, keystore, seller)
    assert rotated["published"] is True and rotated["key_id"] != "0x" + old_pair.key_id.hex()
    new_pair = api.node.keyring.encryption.current(seller)
    assert new_pair is not None and new_pair.key_id != old_pair.key_id
    assert api.node.client.encryption_key_of(seller)[0] == new_pair.public_bytes  # the chain names the new key

    # Version 1, wrapped to the old key, still reads; an amendment after the rotation too (same content key).
    read = api.client.get(f"/v1/key-data-sets/{old_gpid}", headers=api.auth(SELLER)).json()
    assert read["data"] == before and read["integrity"]["verified"] is True
    next_second()
    goods = [dict(before["goods"][0], value="999.00")]
    amended = api.client.post(f"/v1/key-data-sets/{old_gpid}/amendments", headers=api.auth(SELLER),
                              json={"changes": {"goods": goods}, "reason": "price after rotation", "reason_code": "price"})  # fmt: skip
    assert amended.status_code == 201, amended.text
    assert api.client.get(f"/v1/key-data-sets/{old_gpid}?version=1", headers=api.auth(SELLER)).json()["data"] == before
    assert api.client.get(f"/v1/key-data-sets/{old_gpid}", headers=api.auth(SELLER)).json()["data"]["goods"][0]["value"] == "999.00"

    # New data wraps to the new key only.
    after = fresh_key_data_set()
    new_gpid = api.register(after)["gpid"]
    old_payload, new_payload = _registered_payload(api, old_gpid), _registered_payload(api, new_gpid)
    old_binding, new_binding = (payload_crypto.Binding(api.node.client.chain_id, api.node.client.address, GPID.parse(g))
                                for g in (old_gpid, new_gpid))  # fmt: skip
    # the seller's own recipient key: hinted and wrapped with the key it had published at the time
    assert hint(old_pair.public_bytes, old_pair, old_binding) in hints_of(old_payload)
    assert hint(new_pair.public_bytes, new_pair, new_binding) in hints_of(new_payload)
    assert hint(new_pair.public_bytes, old_pair, new_binding) not in hints_of(new_payload)
    assert not any(k in p for k in (old_pair.key_id, new_pair.key_id) for p in (old_payload, new_payload))
    assert api.client.get(f"/v1/key-data-sets/{new_gpid}", headers=api.auth(CUSTOMS_GB)).json()["data"] == after

    # The data folder keeps both keys: a fresh index with the seller's keys as saved opens both GPIDs,
    # every version; with the new key alone only the GPID registered after the rotation.
    saved = keystore.load(seller)
    assert saved is not None and [p.key_id for p in saved] == [old_pair.key_id, new_pair.key_id]
    both = _fresh_index(api, tmp_path / "both", EncryptionKeyring({seller: saved}), [old_gpid, new_gpid])
    assert both == {old_gpid: True, new_gpid: True}
    only_new = _fresh_index(api, tmp_path / "new", EncryptionKeyring({seller: [new_pair]}), [old_gpid, new_gpid])
    assert only_new == {old_gpid: False, new_gpid: True}
