from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from typing_extensions import Self

if TYPE_CHECKING:
    from ..models.goods_line import GoodsLine
    from ..models.invoice import Invoice
    from ..models.party import Party


T = TypeVar("T", bound="KeyDataSet")


@_attrs_define
class KeyDataSet:
    """The key data set of one commercial invoice, schema version 1 (DESIGN.md).

    Attributes:
        schema_version (Literal['1']):
        seller (Party): The seller or the buyer: company name, address and trader ID.
        buyer (Party): The seller or the buyer: company name, address and trader ID.
        invoice (Invoice): The commercial invoice the key data set describes: its number as written and its date.
        goods (list[GoodsLine]):
    """

    schema_version: Literal["1"]
    seller: Party
    buyer: Party
    invoice: Invoice
    goods: list[GoodsLine]

    def to_dict(self) -> dict[str, Any]:
        schema_version = self.schema_version

        seller = self.seller.to_dict()

        buyer = self.buyer.to_dict()

        invoice = self.invoice.to_dict()

        goods = []
        for goods_item_data in self.goods:
            goods_item = goods_item_data.to_dict()
            goods.append(goods_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "schema_version": schema_version,
                "seller": seller,
                "buyer": buyer,
                "invoice": invoice,
                "goods": goods,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.goods_line import GoodsLine
        from ..models.invoice import Invoice
        from ..models.party import Party

        d = dict(src_dict)
        schema_version = cast(Literal["1"], d.pop("schema_version"))
        if schema_version != "1":
            raise ValueError(f"schema_version must match const '1', got '{schema_version}'")

        seller = Party.from_dict(d.pop("seller"))

        buyer = Party.from_dict(d.pop("buyer"))

        invoice = Invoice.from_dict(d.pop("invoice"))

        goods = []
        _goods = d.pop("goods")
        for goods_item_data in _goods:
            goods_item = GoodsLine.from_dict(goods_item_data)

            goods.append(goods_item)

        key_data_set = cls(
            schema_version=schema_version,
            seller=seller,
            buyer=buyer,
            invoice=invoice,
            goods=goods,
        )

        return key_data_set
