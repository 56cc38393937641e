from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

if TYPE_CHECKING:
    from ..models.proof_bundle_block_header import ProofBundleBlockHeader


T = TypeVar("T", bound="ProofBundleBlock")


@_attrs_define
class ProofBundleBlock:
    """
    Attributes:
        number (int):
        hash_ (str): the block hash the auditor must trust (obtained elsewhere: its own node, an explorer)
        header (ProofBundleBlockHeader): the header fields the block hash covers, as the JSON-RPC gives them
    """

    number: int
    hash_: str
    header: ProofBundleBlockHeader
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        number = self.number

        hash_ = self.hash_

        header = self.header.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "number": number,
                "hash": hash_,
                "header": header,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.proof_bundle_block_header import ProofBundleBlockHeader

        d = dict(src_dict)
        number = d.pop("number")

        hash_ = d.pop("hash")

        header = ProofBundleBlockHeader.from_dict(d.pop("header"))

        proof_bundle_block = cls(
            number=number,
            hash_=hash_,
            header=header,
        )

        proof_bundle_block.additional_properties = d
        return proof_bundle_block

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
