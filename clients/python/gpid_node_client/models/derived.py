from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

from ..models.derived_kind import DerivedKind, check_derived_kind

if TYPE_CHECKING:
    from ..models.derived_key_data_set import DerivedKeyDataSet
    from ..models.derived_sources import DerivedSources
    from ..models.e_invoice_source import EInvoiceSource
    from ..models.missing_field import MissingField


T = TypeVar("T", bound="Derived")


@_attrs_define
class Derived:
    """
    Attributes:
        key_data_set (DerivedKeyDataSet): the draft key data set (fields nobody supplied are absent)
        missing (list[MissingField]): every field missing or invalid; empty when the draft registers as it is
        source (EInvoiceSource):
        sources (DerivedSources): field path -> where its value came from: invoice, catalogue, partners or account
        kind (DerivedKind): a credit note or corrective invoice amends the invoice it corrects instead of registering
        corrects (list[str]): the invoice numbers a credit note or corrective invoice refers to (BT-25)
    """

    key_data_set: DerivedKeyDataSet
    missing: list[MissingField]
    source: EInvoiceSource
    sources: DerivedSources
    kind: DerivedKind
    corrects: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        key_data_set = self.key_data_set.to_dict()

        missing = []
        for missing_item_data in self.missing:
            missing_item = missing_item_data.to_dict()
            missing.append(missing_item)

        source = self.source.to_dict()

        sources = self.sources.to_dict()

        kind: str = self.kind

        corrects = self.corrects

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "key_data_set": key_data_set,
                "missing": missing,
                "source": source,
                "sources": sources,
                "kind": kind,
                "corrects": corrects,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.derived_key_data_set import DerivedKeyDataSet
        from ..models.derived_sources import DerivedSources
        from ..models.e_invoice_source import EInvoiceSource
        from ..models.missing_field import MissingField

        d = dict(src_dict)
        key_data_set = DerivedKeyDataSet.from_dict(d.pop("key_data_set"))

        missing = []
        _missing = d.pop("missing")
        for missing_item_data in _missing:
            missing_item = MissingField.from_dict(missing_item_data)

            missing.append(missing_item)

        source = EInvoiceSource.from_dict(d.pop("source"))

        sources = DerivedSources.from_dict(d.pop("sources"))

        kind = check_derived_kind(d.pop("kind"))

        corrects = cast(list[str], d.pop("corrects"))

        derived = cls(
            key_data_set=key_data_set,
            missing=missing,
            source=source,
            sources=sources,
            kind=kind,
            corrects=corrects,
        )

        derived.additional_properties = d
        return derived

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
