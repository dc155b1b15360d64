"""One page of a queryset with its total: what every paginated API list answers (two queries)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Paged(Generic[T]):
    items: list[T]
    count: int
    page: int
    page_size: int

    def meta(self) -> dict[str, int]:
        pages = max(1, -(-self.count // self.page_size))
        return {"count": self.count, "page": self.page, "page_size": self.page_size, "pages": pages}


def paginate(qs: Any, *, page: int, page_size: int) -> Paged[Any]:
    """Page ``page`` (from 1) of ``qs``, a queryset of models or values: a count and a slice."""
    count = qs.count()
    start = (page - 1) * page_size
    return Paged(list(qs[start : start + page_size]), count, page, page_size)


#: Pages past this are refused: a larger number would overflow the database's OFFSET.
MAX_PAGE = 9_999


def page_number(raw: str | None) -> int:
    """The page a query string asks for (``?page=``): ASCII digits from 1 to ``MAX_PAGE``, otherwise the first."""
    if raw and raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_PAGE:
        return int(raw)
    return 1
