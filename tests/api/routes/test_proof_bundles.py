"""Proof bundles (issue 20, item 3) through the REST facade of a development node on a real anvil:
each version of a format-2 and of a format-1 key data set, proven offline against the hash of a
block header the chain itself gives; the read rule of a GET; every single changed byte refused; the
command-line check with no network and no RPC endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from api.harness import BUYER, OPERATOR, SELLER, Api, fresh_key_data_set
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from gpid_node.domain import proof_bundle
from gpid_node.domain.gpid import GPID
from gpid_node.domain.registry_storage import RecordWord, record_slot, slot_text, version_digest_slot
from gpid_node.services.credentials import authenticate
from gpid_node.services.registration import Registration
from gpid_node.store.tables import VersionRow

CUSTOMS_FR = "Customs FR"  # a demo participant that may not read a DE-GB key data set


def fetch(api: Api, gpid: str, version: int | None = None, name: str = SELLER) -> Any:
    params = {} if version is None else {"version": version}
    return api.client.get(f"/v1/key-data-sets/{gpid}/proof", params=params, headers=api.auth(name))


def chain_hash(api: Api, number: int) -> bytes:
    """The hash the chain gives for block ``number``: what an auditor trusts, obtained apart from the bundle."""
    return bytes.fromhex(api.node.client.block_json(number)["hash"][2:])


def storage_at(api: Api, slot: int, block: int) -> bytes:
    client = api.node.client
    word = client.request("eth_getStorageAt", client.address, slot_text(slot), hex(block))
    return bytes.fromhex(word[2:]).rjust(32, b"\0")


def amend(api: Api, gpid: str, changes: dict[str, Any]) -> None:
    body = {"changes": changes, "reason": "weighed at the warehouse"}
    response = api.client.post(f"/v1/key-data-sets/{gpid}/amendments", json=body, headers=api.auth(SELLER))
    assert response.status_code == 201, response.text


_made: dict[str, Any] = {}  # what the module's tests share, made once on the session's node


def _amended_format2(api: Api) -> str:
    if "amended" not in _made:
        gpid = api.register()["gpid"]
        amend(api, gpid, {"goods": [{**fresh_key_data_set()["goods"][0], "net_mass_kg": "312.000"}]})
        _made["amended"] = gpid
    return str(_made["amended"])


@pytest.fixture
def amended(api: Api) -> str:
    """A format-2 key data set registered and amended once (versions 1 and 2)."""
    return _amended_format2(api)


def test_each_version_of_a_format2_key_data_set_is_proven_against_the_chains_header(api: Api, amended: str) -> None:
    gpid = GPID.parse(amended)
    for version, superseded in ((1, True), (2, False)):
        response = fetch(api, amended, version)
        assert response.status_code == 200, response.text
        bundle = response.json()
        assert (bundle["format"], bundle["gpid"], bundle["version"], bundle["payload_format"]) == (proof_bundle.FORMAT, amended, version, 2)
        assert set(bundle["opening"]) == {"seed"}
        number = bundle["block"]["number"]
        verdict = proof_bundle.check(bundle, chain_hash(api, number))
        assert verdict.valid, verdict.problems
        assert (verdict.version, verdict.current_version, verdict.superseded) == (version, 2, superseded)
        # the slot the bundle names holds that version's digest, read from the chain apart from the proof
        chain_digest = api.node.client.version_of(gpid, version).digest
        assert storage_at(api, version_digest_slot(gpid, version), number) == chain_digest
        assert bundle["digest"] == "0x" + chain_digest.hex()
        read = api.client.get(f"/v1/key-data-sets/{amended}", params={"version": version}, headers=api.auth(SELLER)).json()
        assert bundle["data"] == read["data"] and bundle["digest"] == read["integrity"]["digest"]
    assert fetch(api, amended).json()["version"] == 2, "the current version by default"
    assert fetch(api, amended, 3).status_code == 422


def test_the_record_slot_holds_the_gpids_record(api: Api, amended: str) -> None:
    gpid = GPID.parse(amended)
    number = api.node.client.block_number()
    word = int.from_bytes(storage_at(api, record_slot(gpid), number), "big")
    record = api.node.client.record_of(gpid)
    assert RecordWord.of(word).version == record.version == 2
    assert RecordWord.of(word).format == record.format == 2


def test_a_format1_key_data_set_is_proven_with_its_salt(api: Api) -> None:
    gpid = _plain_amended(api)
    for version in (1, 2):
        bundle = fetch(api, gpid, version).json()
        assert (bundle["payload_format"], set(bundle["opening"])) == (1, {"salt"})
        verdict = proof_bundle.check(bundle, chain_hash(api, bundle["block"]["number"]))
        assert verdict.valid, verdict.problems
        assert verdict.superseded is (version == 1)


def test_only_readers_of_the_data_get_a_bundle(api: Api, amended: str) -> None:
    assert fetch(api, amended, name=BUYER).status_code == 200
    assert fetch(api, amended, name=CUSTOMS_FR).status_code == 404, "Customs FR may not read it: as for a GET"
    assert fetch(api, amended, name=OPERATOR).status_code == 403, "the operator sees public facts only"
    assert fetch(api, str(GPID(b"\x01" * 16))).status_code == 404, "an unknown GPID"
    assert fetch(api, "GP0000").status_code == 400, "a malformed one"


def test_a_node_whose_index_was_altered_serves_no_bundle(api: Api) -> None:
    gpid = api.register()["gpid"]
    with api.node.store.session() as session:
        row = session.scalars(select(VersionRow).where(VersionRow.gpid == GPID.parse(gpid).hex)).one()
        altered = json.loads(json.dumps(row.data))
        altered["goods"][0]["net_mass_kg"] = "1.000"
        row.data = altered  # committed as the session ends
    response = fetch(api, gpid)
    assert response.status_code == 409
    assert "does not recompute its digest" in response.json()["detail"] and "rebuild the index" in response.json()["detail"]


def test_a_wrong_trusted_hash_and_changed_members_are_refused_with_their_reason(api: Api, amended: str) -> None:
    bundle = fetch(api, amended, 2).json()
    number = bundle["block"]["number"]
    trusted = chain_hash(api, number)
    other = proof_bundle.check(bundle, chain_hash(api, number - 1))
    assert not other.valid
    assert next(p.message for p in other.problems if p.path == "block.header").startswith("the header does not hash to the trusted block hash")

    tampered = json.loads(json.dumps(bundle))
    tampered["data"]["goods"][0]["net_mass_kg"] = "313.000"
    messages = [p.message for p in proof_bundle.check(tampered, trusted).problems]
    assert messages == ["the data does not recompute the digest: section goods differs"]

    tampered = json.loads(json.dumps(bundle))
    tampered["digest"] = "0x" + "00" * 32
    messages = " | ".join(p.message for p in proof_bundle.check(tampered, trusted).problems)
    assert "the storage proof does not lead to the stored digest" in messages

    tampered = json.loads(json.dumps(bundle))
    tampered["block"]["header"]["gasUsed"] = hex(int(tampered["block"]["header"]["gasUsed"], 16) + 1)
    assert "does not hash to the trusted block hash" in proof_bundle.check(tampered, trusted).problems[0].message

    tampered = json.loads(json.dumps(bundle))
    tampered["version"] = 1
    assert not proof_bundle.check(tampered, trusted).valid, "version 2's proof does not prove version 1"


def _plain_amended(api: Api) -> str:
    """A format-1 key data set registered and amended once."""
    if "plain" not in _made:
        with api.node.store.session() as session:
            seller = authenticate(session, api.keys[SELLER])
        assert seller is not None
        gpid = Registration(api.node.context, api.node.submissions, payload_format=1).register(fresh_key_data_set(), seller)["gpid"]
        amend(api, gpid, {"buyer": {"name": "Thames Tools Limited"}})
        _made["plain"] = gpid
    return str(_made["plain"])


def _compact(api: Api, payload_format: int = 2) -> tuple[bytes, bytes]:
    """Version 1's bundle of a format-2 (or format-1) key data set as compact JSON (every byte
    significant) and its block's hash."""
    if payload_format not in _made:
        gpid = _amended_format2(api) if payload_format == 2 else _plain_amended(api)
        bundle = fetch(api, gpid, 1).json()
        _made[payload_format] = (json.dumps(bundle, separators=(",", ":")).encode(), chain_hash(api, bundle["block"]["number"]))
    return _made[payload_format]  # type: ignore[no-any-return]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(payload_format=st.sampled_from([2, 1]), position=st.floats(min_value=0, max_value=1, exclude_max=True),
       replacement=st.integers(0, 255))  # fmt: skip
def test_any_single_changed_byte_of_a_bundle_is_refused(api: Api, payload_format: int, position: float, replacement: int) -> None:
    text, trusted = _compact(api, payload_format)
    at = int(position * len(text))
    if text[at] == replacement:
        replacement = (replacement + 1) % 256
    changed = text[:at] + bytes([replacement]) + text[at + 1 :]
    try:
        document = json.loads(changed.decode("utf-8"))
    except ValueError:
        return  # not JSON (or not UTF-8) any more: no check would read it
    assert not proof_bundle.check(document, trusted).valid, f"byte {at} ({text[at:at + 1]!r} → {bytes([replacement])!r}) went unnoticed"


def test_each_kind_of_member_is_covered_by_the_byte_changes(api: Api) -> None:
    """The property above reaches data, opening, proof nodes, header fields and the digest alike."""
    text, trusted = _compact(api)
    bundle = json.loads(text)
    for member in ('"data"', '"seed"', '"accountProof"', '"storageProof"', '"stateRoot"', '"digest"'):
        at = text.index(member.encode()) + len(member) + 5  # a byte inside the member's value
        flipped = text[:at] + (b"1" if text[at : at + 1] != b"1" else b"2") + text[at + 1 :]
        try:
            document = json.loads(flipped)
        except ValueError:
            continue
        assert not proof_bundle.check(document, trusted).valid, member
    assert proof_bundle.check(bundle, trusted).valid


def test_the_command_line_checks_a_bundle_with_no_network_and_no_rpc_endpoint(api: Api, tmp_path: Path) -> None:
    text, trusted = _compact(api)
    file = tmp_path / "bundle.json"
    file.write_bytes(text)
    # Every socket connection refused in the checking process: it proves with what the file holds.
    offline = ("import socket, sys\n"
               "def refuse(*a, **k): raise OSError('no network in this test')\n"
               "socket.socket.connect = refuse; socket.create_connection = refuse\n"
               "from gpid_node.cli import main\n"
               "sys.argv = ['gpid-node'] + sys.argv[1:]\n"
               "main()\n")  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPID_")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", offline, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)

    ok = run("check-proof", str(file), "--block-hash", "0x" + trusted.hex())
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "VALID" in ok.stdout and "superseded" in ok.stdout
    wrong = run("check-proof", str(file), "--block-hash", "0x" + "ab" * 32)
    assert wrong.returncode == 1
    assert "INVALID" in wrong.stdout and "does not hash to the trusted block hash" in wrong.stdout
    as_json = run("check-proof", str(file), "--block-hash", "0x" + trusted.hex(), "--json")
    assert json.loads(as_json.stdout)["valid"] is True


@pytest.mark.postgres
def test_bundles_of_a_postgresql_node_prove(postgres_api: Api) -> None:
    api = postgres_api
    assert api.node.store.engine.dialect.name == "postgresql"
    data = fresh_key_data_set(lines=4)
    gpid = api.register(data)["gpid"]
    amend(api, gpid, {"buyer": {"name": "Thames Tools Limited"}})
    for version in (1, 2):
        bundle = fetch(api, gpid, version).json()
        assert bundle["version"] == version
        verdict = proof_bundle.check(bundle, chain_hash(api, bundle["block"]["number"]))
        assert verdict.valid, verdict.problems
        assert verdict.superseded is (version == 1)
