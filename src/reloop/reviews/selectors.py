"""Review reads for the pages: each in a constant number of queries, scoped to who is asking."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from reloop.accounts.models import User
from reloop.orders.models import OrderLine, OrderStatus
from reloop.reviews.domain import is_reviewable
from reloop.reviews.errors import LineNotFound
from reloop.reviews.models import ProductRatingSummary, Review, SellerRatingSummary
from reloop.sellers.models import Seller

RECENT_ON_PRODUCT_PAGE = 3


@dataclass(frozen=True)
class ReviewSlot:
    """What the order page shows for one line: its review, or whether the buyer may write one."""

    review: Review | None
    can_write: bool


def review_slots(*, lines: Iterable[OrderLine]) -> dict[int, ReviewSlot]:
    """The review slot of each line (one query for any number of lines)."""
    lines = list(lines)
    found = {r.line_id: r for r in Review.objects.filter(line_id__in=[line.pk for line in lines])}
    return {
        line.pk: ReviewSlot(review=found.get(line.pk), can_write=line.pk not in found and is_reviewable(line.state))
        for line in lines
    }


def buyer_line(*, buyer: User, number: str, line_id: int) -> OrderLine:
    """One line of one of the buyer's paid orders, with its seller order, order and any review loaded. Another
    buyer's line, or a line of another order, is answered like a missing one."""
    line = (
        OrderLine.objects.select_related("seller_order__order", "seller_order__seller", "review")
        .filter(
            pk=line_id,
            seller_order__order__buyer=buyer,
            seller_order__order__number=number,
            seller_order__order__status=OrderStatus.PAID,
        )
        .first()
    )
    if line is None:
        raise LineNotFound(f"No line {line_id} in order {number}")
    return line


def visible_reviews() -> QuerySet[Review]:
    return Review.objects.filter(hidden_at__isnull=True)


@dataclass(frozen=True)
class ProductRatings:
    summary: ProductRatingSummary | None
    recent: list[Review]


def product_ratings(*, product_model_id: int, limit: int = RECENT_ON_PRODUCT_PAGE) -> ProductRatings:
    """The model's rating summary and its latest visible reviews with the seller's name (two queries)."""
    return ProductRatings(
        summary=ProductRatingSummary.objects.filter(product_model_id=product_model_id).first(),
        recent=list(
            visible_reviews()
            .filter(product_model_id=product_model_id)
            .select_related("seller")
            .order_by("-created_at", "-pk")[:limit]
        ),
    )


def seller_rating(*, seller: Seller) -> SellerRatingSummary | None:
    return SellerRatingSummary.objects.filter(seller=seller).first()


def public_seller_reviews(*, seller: Seller) -> QuerySet[Review]:
    """A seller's visible reviews, newest first, with their product (paginate it)."""
    return visible_reviews().filter(seller=seller).select_related("product_model__brand").order_by("-created_at", "-pk")


def seller_reviews(*, seller: Seller) -> QuerySet[Review]:
    """Every review of ``seller`` for its back office, hidden ones included, newest first."""
    return Review.objects.filter(seller=seller).select_related("product_model__brand").order_by("-created_at", "-pk")


def seller_review(*, seller: Seller, review_id: int) -> Review | None:
    return Review.objects.filter(seller=seller, pk=review_id).first()


def moderation_queue(*, hidden: bool | None = None) -> QuerySet[Review]:
    """Reviews for the moderators, newest first, with seller, product and who hid them."""
    qs = Review.objects.select_related("seller", "product_model__brand", "hidden_by").order_by("-created_at", "-pk")
    if hidden is not None:
        qs = qs.filter(hidden_at__isnull=not hidden)
    return qs
