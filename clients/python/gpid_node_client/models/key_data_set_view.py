from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.e_invoice_source import EInvoiceSource
    from ..models.erasure_mark import ErasureMark
    from ..models.freshness import Freshness
    from ..models.integrity import Integrity
    from ..models.key_data_set import KeyDataSet


T = TypeVar("T", bound="KeyDataSetView")


@_attrs_define
class KeyDataSetView:
    """
    Attributes:
        gpid (str):
        version (int):
        current_version (int):
        data (KeyDataSet | None): the key data set (schema KeyDataSet), normalised; null when only its public facts are
            shown (the operator role, or a format-2 key data set this node holds no key for)
        integrity (Integrity):
        registered_at (datetime.datetime | None):
        updated_at (datetime.datetime | None):
        format_ (int | None | Unset): the payload format on chain: 1 plain, 2 encrypted
        readable (bool | None | Unset): whether `data` holds the key data set in this answer
        issuer (None | str | Unset):
        source (EInvoiceSource | None | Unset): the e-invoice this version was derived from (kept inside its encrypted
            payload); null when it was not derived from one, or when `data` is not shown
        erasure (ErasureMark | None | Unset): set when this node erased the key data set's data (crypto-shredding): only
            its public facts are shown here, whoever asks; other recipients' nodes keep their copies
        freshness (Freshness | None | Unset):
    """

    gpid: str
    version: int
    current_version: int
    data: KeyDataSet | None
    integrity: Integrity
    registered_at: datetime.datetime | None
    updated_at: datetime.datetime | None
    format_: int | None | Unset = UNSET
    readable: bool | None | Unset = UNSET
    issuer: None | str | Unset = UNSET
    source: EInvoiceSource | None | Unset = UNSET
    erasure: ErasureMark | None | Unset = UNSET
    freshness: Freshness | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.e_invoice_source import EInvoiceSource
        from ..models.erasure_mark import ErasureMark
        from ..models.freshness import Freshness
        from ..models.key_data_set import KeyDataSet

        gpid = self.gpid

        version = self.version

        current_version = self.current_version

        data: dict[str, Any] | None
        if isinstance(self.data, KeyDataSet):
            data = self.data.to_dict()
        else:
            data = self.data

        integrity = self.integrity.to_dict()

        registered_at: None | str
        if isinstance(self.registered_at, datetime.datetime):
            registered_at = self.registered_at.isoformat()
        else:
            registered_at = self.registered_at

        updated_at: None | str
        if isinstance(self.updated_at, datetime.datetime):
            updated_at = self.updated_at.isoformat()
        else:
            updated_at = self.updated_at

        format_: int | None | Unset
        if isinstance(self.format_, Unset):
            format_ = UNSET
        else:
            format_ = self.format_

        readable: bool | None | Unset
        if isinstance(self.readable, Unset):
            readable = UNSET
        else:
            readable = self.readable

        issuer: None | str | Unset
        if isinstance(self.issuer, Unset):
            issuer = UNSET
        else:
            issuer = self.issuer

        source: dict[str, Any] | None | Unset
        if isinstance(self.source, Unset):
            source = UNSET
        elif isinstance(self.source, EInvoiceSource):
            source = self.source.to_dict()
        else:
            source = self.source

        erasure: dict[str, Any] | None | Unset
        if isinstance(self.erasure, Unset):
            erasure = UNSET
        elif isinstance(self.erasure, ErasureMark):
            erasure = self.erasure.to_dict()
        else:
            erasure = self.erasure

        freshness: dict[str, Any] | None | Unset
        if isinstance(self.freshness, Unset):
            freshness = UNSET
        elif isinstance(self.freshness, Freshness):
            freshness = self.freshness.to_dict()
        else:
            freshness = self.freshness

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "gpid": gpid,
                "version": version,
                "current_version": current_version,
                "data": data,
                "integrity": integrity,
                "registered_at": registered_at,
                "updated_at": updated_at,
            }
        )
        if format_ is not UNSET:
            field_dict["format"] = format_
        if readable is not UNSET:
            field_dict["readable"] = readable
        if issuer is not UNSET:
            field_dict["issuer"] = issuer
        if source is not UNSET:
            field_dict["source"] = source
        if erasure is not UNSET:
            field_dict["erasure"] = erasure
        if freshness is not UNSET:
            field_dict["freshness"] = freshness

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.e_invoice_source import EInvoiceSource
        from ..models.erasure_mark import ErasureMark
        from ..models.freshness import Freshness
        from ..models.integrity import Integrity
        from ..models.key_data_set import KeyDataSet

        d = dict(src_dict)
        gpid = d.pop("gpid")

        version = d.pop("version")

        current_version = d.pop("current_version")

        def _parse_data(data: object) -> KeyDataSet | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_0 = KeyDataSet.from_dict(data)

                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(KeyDataSet | None, data)

        data = _parse_data(d.pop("data"))

        integrity = Integrity.from_dict(d.pop("integrity"))

        def _parse_registered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                registered_at_type_0 = datetime.datetime.fromisoformat(data)

                return registered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        registered_at = _parse_registered_at(d.pop("registered_at"))

        def _parse_updated_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                updated_at_type_0 = datetime.datetime.fromisoformat(data)

                return updated_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        updated_at = _parse_updated_at(d.pop("updated_at"))

        def _parse_format_(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        format_ = _parse_format_(d.pop("format", UNSET))

        def _parse_readable(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        readable = _parse_readable(d.pop("readable", UNSET))

        def _parse_issuer(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        issuer = _parse_issuer(d.pop("issuer", UNSET))

        def _parse_source(data: object) -> EInvoiceSource | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                source_type_0 = EInvoiceSource.from_dict(data)

                return source_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EInvoiceSource | None | Unset, data)

        source = _parse_source(d.pop("source", UNSET))

        def _parse_erasure(data: object) -> ErasureMark | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                erasure_type_0 = ErasureMark.from_dict(data)

                return erasure_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ErasureMark | None | Unset, data)

        erasure = _parse_erasure(d.pop("erasure", UNSET))

        def _parse_freshness(data: object) -> Freshness | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                freshness_type_0 = Freshness.from_dict(data)

                return freshness_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Freshness | None | Unset, data)

        freshness = _parse_freshness(d.pop("freshness", UNSET))

        key_data_set_view = cls(
            gpid=gpid,
            version=version,
            current_version=current_version,
            data=data,
            integrity=integrity,
            registered_at=registered_at,
            updated_at=updated_at,
            format_=format_,
            readable=readable,
            issuer=issuer,
            source=source,
            erasure=erasure,
            freshness=freshness,
        )

        key_data_set_view.additional_properties = d
        return key_data_set_view

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
