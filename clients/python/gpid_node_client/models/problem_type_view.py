from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from typing_extensions import Self

T = TypeVar("T", bound="ProblemTypeView")


@_attrs_define
class ProblemTypeView:
    """One problem type (these answers belong to this page alone, so their models live here).

    Attributes:
        type_ (str): the URI problem answers carry in `type`
        slug (str): its last part, the name of its page: /problems/{slug}
        title (str):
        statuses (list[int]): the HTTP statuses answered with this type
        description (str): what it means and what to do about it
    """

    type_: str
    slug: str
    title: str
    statuses: list[int]
    description: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        slug = self.slug

        title = self.title

        statuses = self.statuses

        description = self.description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "slug": slug,
                "title": title,
                "statuses": statuses,
                "description": description,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = d.pop("type")

        slug = d.pop("slug")

        title = d.pop("title")

        statuses = cast(list[int], d.pop("statuses"))

        description = d.pop("description")

        problem_type_view = cls(
            type_=type_,
            slug=slug,
            title=title,
            statuses=statuses,
            description=description,
        )

        problem_type_view.additional_properties = d
        return problem_type_view

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
