"""Disclosures: chosen fields of one version of a format-2 key data set, with the Merkle proof that
opens them against that version's digest on chain, for a gate, a weighbridge or an audit that must
not see the rest (``gpid-disclosure/1``, :mod:`gpid_node.domain.disclosure`).

Whoever may read a GPID's data on this node may disclose any of its fields; the data and the GPID's
seed come from the index (the versions this node decrypted). Anyone may verify a disclosure: the
node compares it with the digest the registry holds for the version (:meth:`Disclosures.verify`),
and :func:`check_on_chain` does the same with nothing but the registry's views, for a verifier that
trusts no node.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import segno

from gpid_node.chain.client import RegistryClient
from gpid_node.domain import disclosure, disclosure_proof
from gpid_node.domain import errors as e
from gpid_node.domain.access import Principal
from gpid_node.domain.disclosure import Disclosure
from gpid_node.domain.gpid import GPID
from gpid_node.services.context import Context
from gpid_node.services.reads import Reads, shows_data, visible
from gpid_node.store import queries

MAX_PATTERNS = 200
FORMAT1_PROBLEM = (
    "this key data set is format 1 (plaintext, one salted commitment per section): it has no per-field leaves, so "
    "no field can be disclosed alone; disclosures exist for format-2 (encrypted) key data sets"
)


def _patterns(fields: Any) -> list[str]:
    if not isinstance(fields, list) or not fields:
        raise e.ValidationFailed([e.FieldProblem("fields", 'a non-empty list of field paths, e.g. ["goods[*].packages"]')])
    if len(fields) > MAX_PATTERNS:
        raise e.ValidationFailed([e.FieldProblem("fields", f"at most {MAX_PATTERNS} paths")])
    return list(fields)


class Disclosures:
    """Creates disclosures from this node's index and verifies anyone's against the chain."""

    def __init__(self, context: Context, reads: Reads) -> None:
        self.context = context
        self.reads = reads

    def disclose(self, gpid_text: str, fields: Sequence[str], principal: Principal, *, version: int | None = None) -> Disclosure:
        """A disclosure of the fields ``fields`` names (paths, ``[*]`` for every goods line) of the
        current version or of ``version``: UnknownGPID when the caller may not read the GPID,
        ValidationFailed naming a path that names nothing, a version that does not exist, or a
        format-1 version."""
        gpid = GPID.parse(gpid_text)
        patterns = _patterns(fields)
        with self.context.store.session() as session:
            row = queries.key_data_set(session, gpid.hex)
            if row is None or not visible(session, row, principal):
                raise e.UnknownGPID(str(gpid))
            chosen = queries.version_at(session, gpid.hex, version=version)
        if chosen is None:
            raise e.ValidationFailed([e.FieldProblem("version", f"{gpid} has versions 1 to {row.current_version}")])
        if not shows_data(row, principal):
            if row.readable:
                raise e.PermissionDenied("your role sees the public facts of key data sets only; a disclosure reveals data")
            raise e.ValidationFailed([e.FieldProblem("gpid", "this node holds no key that opens this key data set: "
                                                              "ask a node of one of its readers for the disclosure")])  # fmt: skip
        if chosen.payload is None:
            raise e.ValidationFailed([e.FieldProblem("version", FORMAT1_PROBLEM)])
        if chosen.data is None or chosen.salt is None or not self.reads.proven(gpid, chosen):
            raise e.Conflict(f"version {chosen.version} of {gpid} in this node's index does not match its digest on "
                             "chain: nothing is disclosed from it; rebuild the index from the chain")  # fmt: skip
        seed = bytes.fromhex(chosen.salt.removeprefix("0x"))
        paths = disclosure_proof.select_paths(chosen.data, patterns)
        proof = disclosure_proof.prove(chosen.data, seed, paths)
        return Disclosure(gpid, chosen.version, self.context.client.chain_id, self.context.client.address, proof)

    def verify(self, document: Any) -> dict[str, Any]:
        """The verdict on a disclosure (its JSON form, or text holding it or its QR form): whether
        it proves its fields against the digest the registry holds for its version, and whether a
        later version superseded that one. Never raises for what the document holds."""
        try:
            parsed = disclosure.read(document)
        except e.InvalidDisclosure as exc:
            return unreadable_verdict(exc.problems)
        client = self.context.client
        with self.context.store.connection() as connection:
            found_in_index = queries.version_facts(connection, parsed.gpid.hex, parsed.version)
        if found_in_index is None:
            return check_on_chain(parsed, client)  # not (yet) in this node's index: the registry's views
        indexed, current_version = found_in_index
        chain_digest = self.reads.chain_digest(parsed.gpid, indexed)
        if chain_digest is None:  # the chain cannot be reached: the digest the indexer read from it
            checked_against = "index"
            digest = bytes.fromhex(indexed.digest.removeprefix("0x")) if indexed.integrity_ok else None
        else:
            checked_against = "chain"
            digest = bytes.fromhex(chain_digest.removeprefix("0x")) if chain_digest else None
        found = disclosure.problems(parsed, client.chain_id, client.address, digest)
        if not found and indexed.payload is None:
            found = [e.FieldProblem("version", FORMAT1_PROBLEM)]
        block = self.context.indexer.status().get("cursor")
        return verdict(parsed, found, current_version, block, checked_against)


def check_on_chain(parsed: Disclosure, client: RegistryClient) -> dict[str, Any]:
    """The verdict from the registry's views alone (``recordOf``, ``versionOf``): for a verifier
    with no node and no index. ChainUnavailable when the chain cannot be reached."""
    block = client.block_number()
    elsewhere = disclosure.binding_problems(parsed, client.chain_id, client.address)
    if elsewhere:  # another chain or registry: its views answer nothing about this document
        return verdict(parsed, elsewhere, 0, block, "chain")
    record = client.record_of(parsed.gpid)
    digest: bytes | None = None
    if 1 <= parsed.version <= record.version:
        try:
            digest = client.version_of(parsed.gpid, parsed.version).digest
        except e.ChainUnavailable:
            raise
        except e.GPIDError:  # the registry's UnknownVersion: the version was taken back by a reorg since recordOf
            digest = None
    found = disclosure.problems(parsed, client.chain_id, client.address, digest)
    if not found and record.format == 1:
        found = [e.FieldProblem("version", FORMAT1_PROBLEM)]
    if record.version == 0:
        found = [e.FieldProblem("gpid", f"the registry {client.address} knows no GPID {parsed.gpid}")]
    return verdict(parsed, found, record.version, block, "chain")


def verdict(parsed: Disclosure, found: list[e.FieldProblem], current_version: int, block: int | None,
            checked_against: str) -> dict[str, Any]:  # fmt: skip
    """The answer of a verification: the revealed fields only when they are proven."""
    valid = not found
    return {
        "valid": valid,
        "gpid": str(parsed.gpid),
        "version": parsed.version,
        "current_version": current_version or None,
        "superseded": valid and current_version > parsed.version,
        "block": block,
        "checked_against": checked_against,
        "chain_id": parsed.chain_id,
        "registry": parsed.registry,
        "fields": disclosure.expanded(parsed) if valid else None,
        "problems": [{"path": p.path, "message": p.message} for p in found],
    }


def unreadable_verdict(found: Sequence[e.FieldProblem]) -> dict[str, Any]:
    """The answer for a document that does not even read as a disclosure."""
    return {"valid": False, "gpid": None, "version": None, "current_version": None, "superseded": False, "block": None,
            "checked_against": None, "chain_id": None, "registry": None, "fields": None,
            "problems": [{"path": p.path, "message": p.message} for p in found]}  # fmt: skip


QR_KINDS = {"svg": "image/svg+xml", "png": "image/png"}


def qr_code(parsed: Disclosure, kind: str, *, scale: int = 4) -> bytes:
    """The document's QR code (its ``GPD1:`` text, error correction M) as an SVG or PNG image, with
    the quiet zone of four modules a scanner needs."""
    if kind not in QR_KINDS:
        raise e.ValidationFailed([e.FieldProblem("format", f"{kind!r}: accepted svg or png")])
    out = io.BytesIO()
    code = segno.make(parsed.qr_text(), error="m", boost_error=False)
    if kind == "svg":
        code.save(out, kind="svg", scale=scale, border=4, title=f"Disclosure of {parsed.gpid} version {parsed.version}")
    else:
        code.save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
