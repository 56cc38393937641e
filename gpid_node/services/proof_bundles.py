"""Proof bundles for auditors: one version of a key data set with its opening, proven against one block.

The data and its opening (the GPID's seed in format 2, its salt in format 1) come from the index,
after checking that they recompute the digest the index holds; the header and ``eth_getProof`` of
the version's digest slot and of the GPID's record slot come from the chain, the proof taken in the
state of that very block (by its hash). The bundle is checked with the offline check itself before
it is handed out (:func:`gpid_node.domain.proof_bundle.check`), so a node never serves a bundle
that does not prove. Who may have one: whoever may read the GPID's data (the read rule of a GET;
404 for the others). The format is :mod:`gpid_node.domain.proof_bundle`.
"""

from __future__ import annotations

from typing import Any

from gpid_node.chain.errors import RpcRefused, UnknownBlock
from gpid_node.domain import errors as e
from gpid_node.domain import proof_bundle
from gpid_node.domain.access import Principal, sees_data
from gpid_node.domain.gpid import GPID
from gpid_node.domain.registry_storage import record_slot, slot_text, version_digest_slot
from gpid_node.services.context import Context
from gpid_node.services.reads import recomputed_digest, visible
from gpid_node.store import queries
from gpid_node.store.tables import VersionRow


class ProofBundles:
    """Makes proof bundles from one node's index and chain."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def _indexed(self, gpid: GPID, principal: Principal, version: int | None) -> tuple[int, VersionRow]:
        """The GPID's payload format and the chosen version's row, under the read rule of a GET."""
        with self.context.store.session() as session:
            row = queries.key_data_set(session, gpid.hex)
            if row is None or not visible(session, row, principal):
                raise e.UnknownGPID(str(gpid))
            if not sees_data(principal):
                raise e.PermissionDenied(f"your role sees the public facts of {gpid} only: a proof bundle carries its data")
            chosen = queries.version_at(session, gpid.hex, version=version)
            if chosen is None:
                raise e.ValidationFailed([e.FieldProblem("version", f"{gpid} has versions 1 to {row.current_version}")])
            session.expunge(chosen)
            payload_format = row.format
        if chosen.data is None or chosen.salt is None:
            raise e.Conflict(f"this node holds no key that opens {gpid}: a proof bundle carries the data; ask the node "
                             "of its seller, its buyer or another reader for one")  # fmt: skip
        if not chosen.integrity_ok or recomputed_digest(chosen) != chosen.digest:
            raise e.Conflict(f"the index's data of {gpid} version {chosen.version} does not recompute its digest: "
                             "rebuild the index from the chain (gpid-node index rebuild) before making a bundle")  # fmt: skip
        return payload_format, chosen

    def bundle(self, gpid_text: str, principal: Principal, *, version: int | None = None) -> dict[str, Any]:
        """The ``gpid-proof-bundle/1`` document of ``version`` (default: the current one), proven at the
        chain's latest block less the node's confirmations (never before the version's own block)."""
        gpid = GPID.parse(gpid_text)
        payload_format, chosen = self._indexed(gpid, principal, version)
        client = self.context.client
        number = max(client.block_number() - self.context.indexer.confirmations, chosen.block_number)
        slots = [slot_text(version_digest_slot(gpid, chosen.version)), slot_text(record_slot(gpid))]
        try:
            block = client.block_json(number)
            proof = client.storage_proof(slots, str(block["hash"]), number)
        except RpcRefused as exc:
            raise e.ChainUnavailable(f"the chain's endpoint {client.rpc_url} gives no storage proof at block {number} "
                                     f"({exc}): a proof bundle needs eth_getProof over recent state") from exc  # fmt: skip
        except UnknownBlock as exc:
            raise e.ChainUnavailable(f"the chain no longer has block {number} (a reorganisation?): try again") from exc
        try:
            document = proof_bundle.assemble(
                chain_id=client.chain_id, registry=client.address, gpid=gpid, version=chosen.version,
                payload_format=payload_format, data=chosen.data or {}, opening=bytes.fromhex(str(chosen.salt).removeprefix("0x")),
                block=block, proof=proof,
            )  # fmt: skip
            trusted = bytes.fromhex(str(block["hash"]).removeprefix("0x"))
        except (KeyError, TypeError, ValueError) as exc:  # a header of an unknown fork, an answer of the wrong shape
            raise e.ChainUnavailable(f"the chain's answers cannot make a proof bundle: {exc}") from exc
        verdict = proof_bundle.check(document, trusted)
        if not verdict.valid:
            problems = "; ".join(f"{p.path}: {p.message}" for p in verdict.problems)
            raise e.ChainUnavailable(f"the chain's answers at block {number} do not prove {gpid} version {chosen.version}: {problems}")
        return document
