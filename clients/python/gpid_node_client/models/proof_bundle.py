from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

from ..models.proof_bundle_payload_format import ProofBundlePayloadFormat, check_proof_bundle_payload_format

if TYPE_CHECKING:
    from ..models.key_data_set import KeyDataSet
    from ..models.proof_bundle_block import ProofBundleBlock
    from ..models.proof_bundle_commitments import ProofBundleCommitments
    from ..models.proof_bundle_opening import ProofBundleOpening
    from ..models.proof_bundle_proof import ProofBundleProof
    from ..models.proof_bundle_storage import ProofBundleStorage


T = TypeVar("T", bound="ProofBundle")


@_attrs_define
class ProofBundle:
    """``gpid-proof-bundle/1``: one version with its opening, proven against one block (docs/protocol.md).

    Attributes:
        format_ (Literal['gpid-proof-bundle/1']):
        chain_id (int):
        registry (str):
        gpid (str):
        version (int):
        payload_format (ProofBundlePayloadFormat):
        data (KeyDataSet): The key data set of one commercial invoice, schema version 1 (DESIGN.md).
        opening (ProofBundleOpening): `{"seed": ...}` (format 2: the GPID's seed) or `{"salt": ...}` (format 1)
        commitments (ProofBundleCommitments): identity, seller, buyer, goods, buyer_trader_key: GPIDLib.Commitments
        digest (str): keccak256 of the commitments: what the registry stores for the version
        storage (ProofBundleStorage): the registry's storage slots of the version's digest and of the GPID's record
        block (ProofBundleBlock):
        proof (ProofBundleProof): eth_getProof(registry, [digest slot, record slot], block) as the JSON-RPC gives it
    """

    format_: Literal["gpid-proof-bundle/1"]
    chain_id: int
    registry: str
    gpid: str
    version: int
    payload_format: ProofBundlePayloadFormat
    data: KeyDataSet
    opening: ProofBundleOpening
    commitments: ProofBundleCommitments
    digest: str
    storage: ProofBundleStorage
    block: ProofBundleBlock
    proof: ProofBundleProof
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        format_ = self.format_

        chain_id = self.chain_id

        registry = self.registry

        gpid = self.gpid

        version = self.version

        payload_format: int = self.payload_format

        data = self.data.to_dict()

        opening = self.opening.to_dict()

        commitments = self.commitments.to_dict()

        digest = self.digest

        storage = self.storage.to_dict()

        block = self.block.to_dict()

        proof = self.proof.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "format": format_,
                "chain_id": chain_id,
                "registry": registry,
                "gpid": gpid,
                "version": version,
                "payload_format": payload_format,
                "data": data,
                "opening": opening,
                "commitments": commitments,
                "digest": digest,
                "storage": storage,
                "block": block,
                "proof": proof,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.key_data_set import KeyDataSet
        from ..models.proof_bundle_block import ProofBundleBlock
        from ..models.proof_bundle_commitments import ProofBundleCommitments
        from ..models.proof_bundle_opening import ProofBundleOpening
        from ..models.proof_bundle_proof import ProofBundleProof
        from ..models.proof_bundle_storage import ProofBundleStorage

        d = dict(src_dict)
        format_ = cast(Literal["gpid-proof-bundle/1"], d.pop("format"))
        if format_ != "gpid-proof-bundle/1":
            raise ValueError(f"format must match const 'gpid-proof-bundle/1', got '{format_}'")

        chain_id = d.pop("chain_id")

        registry = d.pop("registry")

        gpid = d.pop("gpid")

        version = d.pop("version")

        payload_format = check_proof_bundle_payload_format(d.pop("payload_format"))

        data = KeyDataSet.from_dict(d.pop("data"))

        opening = ProofBundleOpening.from_dict(d.pop("opening"))

        commitments = ProofBundleCommitments.from_dict(d.pop("commitments"))

        digest = d.pop("digest")

        storage = ProofBundleStorage.from_dict(d.pop("storage"))

        block = ProofBundleBlock.from_dict(d.pop("block"))

        proof = ProofBundleProof.from_dict(d.pop("proof"))

        proof_bundle = cls(
            format_=format_,
            chain_id=chain_id,
            registry=registry,
            gpid=gpid,
            version=version,
            payload_format=payload_format,
            data=data,
            opening=opening,
            commitments=commitments,
            digest=digest,
            storage=storage,
            block=block,
            proof=proof,
        )

        proof_bundle.additional_properties = d
        return proof_bundle

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
