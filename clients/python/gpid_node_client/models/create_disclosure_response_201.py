from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

from ..models.create_disclosure_response_201_format import (
    CreateDisclosureResponse201Format,
    check_create_disclosure_response_201_format,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_disclosure_response_201_column_seeds import CreateDisclosureResponse201ColumnSeeds
    from ..models.create_disclosure_response_201_fields import CreateDisclosureResponse201Fields
    from ..models.create_disclosure_response_201_proofs import CreateDisclosureResponse201Proofs
    from ..models.create_disclosure_response_201_roots import CreateDisclosureResponse201Roots
    from ..models.create_disclosure_response_201_salts import CreateDisclosureResponse201Salts


T = TypeVar("T", bound="CreateDisclosureResponse201")


@_attrs_define
class CreateDisclosureResponse201:
    """a gpid-disclosure/1 document (see docs/protocol.md, Disclosure document)

    Attributes:
        format_ (CreateDisclosureResponse201Format | Unset):
        gpid (str | Unset):
        version (int | Unset):
        chain_id (int | Unset):
        registry (str | Unset):
        fields (CreateDisclosureResponse201Fields | Unset):
        salts (CreateDisclosureResponse201Salts | Unset):
        column_seeds (CreateDisclosureResponse201ColumnSeeds | Unset):
        proofs (CreateDisclosureResponse201Proofs | Unset):
        roots (CreateDisclosureResponse201Roots | Unset):
        buyer_commitment (str | Unset):
    """

    format_: CreateDisclosureResponse201Format | Unset = UNSET
    gpid: str | Unset = UNSET
    version: int | Unset = UNSET
    chain_id: int | Unset = UNSET
    registry: str | Unset = UNSET
    fields: CreateDisclosureResponse201Fields | Unset = UNSET
    salts: CreateDisclosureResponse201Salts | Unset = UNSET
    column_seeds: CreateDisclosureResponse201ColumnSeeds | Unset = UNSET
    proofs: CreateDisclosureResponse201Proofs | Unset = UNSET
    roots: CreateDisclosureResponse201Roots | Unset = UNSET
    buyer_commitment: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        format_: str | Unset = UNSET
        if not isinstance(self.format_, Unset):
            format_ = self.format_

        gpid = self.gpid

        version = self.version

        chain_id = self.chain_id

        registry = self.registry

        fields: dict[str, Any] | Unset = UNSET
        if not isinstance(self.fields, Unset):
            fields = self.fields.to_dict()

        salts: dict[str, Any] | Unset = UNSET
        if not isinstance(self.salts, Unset):
            salts = self.salts.to_dict()

        column_seeds: dict[str, Any] | Unset = UNSET
        if not isinstance(self.column_seeds, Unset):
            column_seeds = self.column_seeds.to_dict()

        proofs: dict[str, Any] | Unset = UNSET
        if not isinstance(self.proofs, Unset):
            proofs = self.proofs.to_dict()

        roots: dict[str, Any] | Unset = UNSET
        if not isinstance(self.roots, Unset):
            roots = self.roots.to_dict()

        buyer_commitment = self.buyer_commitment

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if format_ is not UNSET:
            field_dict["format"] = format_
        if gpid is not UNSET:
            field_dict["gpid"] = gpid
        if version is not UNSET:
            field_dict["version"] = version
        if chain_id is not UNSET:
            field_dict["chain_id"] = chain_id
        if registry is not UNSET:
            field_dict["registry"] = registry
        if fields is not UNSET:
            field_dict["fields"] = fields
        if salts is not UNSET:
            field_dict["salts"] = salts
        if column_seeds is not UNSET:
            field_dict["column_seeds"] = column_seeds
        if proofs is not UNSET:
            field_dict["proofs"] = proofs
        if roots is not UNSET:
            field_dict["roots"] = roots
        if buyer_commitment is not UNSET:
            field_dict["buyer_commitment"] = buyer_commitment

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.create_disclosure_response_201_column_seeds import CreateDisclosureResponse201ColumnSeeds
        from ..models.create_disclosure_response_201_fields import CreateDisclosureResponse201Fields
        from ..models.create_disclosure_response_201_proofs import CreateDisclosureResponse201Proofs
        from ..models.create_disclosure_response_201_roots import CreateDisclosureResponse201Roots
        from ..models.create_disclosure_response_201_salts import CreateDisclosureResponse201Salts

        d = dict(src_dict)
        _format_ = d.pop("format", UNSET)
        format_: CreateDisclosureResponse201Format | Unset
        if isinstance(_format_, Unset):
            format_ = UNSET
        else:
            format_ = check_create_disclosure_response_201_format(_format_)

        gpid = d.pop("gpid", UNSET)

        version = d.pop("version", UNSET)

        chain_id = d.pop("chain_id", UNSET)

        registry = d.pop("registry", UNSET)

        _fields = d.pop("fields", UNSET)
        fields: CreateDisclosureResponse201Fields | Unset
        if isinstance(_fields, Unset):
            fields = UNSET
        else:
            fields = CreateDisclosureResponse201Fields.from_dict(_fields)

        _salts = d.pop("salts", UNSET)
        salts: CreateDisclosureResponse201Salts | Unset
        if isinstance(_salts, Unset):
            salts = UNSET
        else:
            salts = CreateDisclosureResponse201Salts.from_dict(_salts)

        _column_seeds = d.pop("column_seeds", UNSET)
        column_seeds: CreateDisclosureResponse201ColumnSeeds | Unset
        if isinstance(_column_seeds, Unset):
            column_seeds = UNSET
        else:
            column_seeds = CreateDisclosureResponse201ColumnSeeds.from_dict(_column_seeds)

        _proofs = d.pop("proofs", UNSET)
        proofs: CreateDisclosureResponse201Proofs | Unset
        if isinstance(_proofs, Unset):
            proofs = UNSET
        else:
            proofs = CreateDisclosureResponse201Proofs.from_dict(_proofs)

        _roots = d.pop("roots", UNSET)
        roots: CreateDisclosureResponse201Roots | Unset
        if isinstance(_roots, Unset):
            roots = UNSET
        else:
            roots = CreateDisclosureResponse201Roots.from_dict(_roots)

        buyer_commitment = d.pop("buyer_commitment", UNSET)

        create_disclosure_response_201 = cls(
            format_=format_,
            gpid=gpid,
            version=version,
            chain_id=chain_id,
            registry=registry,
            fields=fields,
            salts=salts,
            column_seeds=column_seeds,
            proofs=proofs,
            roots=roots,
            buyer_commitment=buyer_commitment,
        )

        create_disclosure_response_201.additional_properties = d
        return create_disclosure_response_201

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
