from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.review import Review


T = TypeVar("T", bound="ReviewList")


@_attrs_define
class ReviewList:
    """
    Attributes:
        reviews (list[Review]):
    """

    reviews: list[Review]

    def to_dict(self) -> dict[str, Any]:
        reviews = []
        for reviews_item_data in self.reviews:
            reviews_item = reviews_item_data.to_dict()
            reviews.append(reviews_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reviews": reviews,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.review import Review  # noqa: PLC0415

        d = dict(src_dict)
        reviews = []
        _reviews = d.pop("reviews")
        for reviews_item_data in _reviews:
            reviews_item = Review.from_dict(reviews_item_data)

            reviews.append(reviews_item)

        review_list = cls(
            reviews=reviews,
        )

        return review_list
