"""The public seller page of the storefront: the seller's public scorecard and reviews."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from reloop.core.pagination import page_number, paginate
from reloop.quality import conf
from reloop.quality import selectors as quality
from reloop.quality.scorecards import public_scorecard
from reloop.reviews import selectors as reviews
from reloop.reviews.models import SellerRatingSummary

REVIEWS_PER_PAGE = 10


@require_safe
def seller_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The public page of a seller: who they are (trader information), ratings, the 90-day scorecard with its
    denominators (``quality.scorecards``), reviews."""
    seller = quality.public_seller(slug=slug)
    if seller is None:
        raise Http404(f"No seller {slug!r}")
    summary: SellerRatingSummary | None = getattr(seller, "rating_summary", None)
    application = getattr(seller, "application", None)  # the approved application holds the trader data
    number = page_number(request.GET.get("page"))
    page = paginate(reviews.public_seller_reviews(seller=seller), page=number, page_size=REVIEWS_PER_PAGE)
    limits = conf.limits()
    card = public_scorecard(seller=seller, limits=limits)
    return render(
        request,
        "web/storefront/quality/seller_page.html",
        {
            "seller": seller,
            "summary": summary,
            "trader": application,
            "page": page,
            "pages": page.meta()["pages"],
            "card": card,
            "min_volume": limits.min_volume,
        },
    )
