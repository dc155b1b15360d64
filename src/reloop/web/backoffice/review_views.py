"""The seller's reviews in the back office, with their public replies."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from reloop.core import clock
from reloop.core.errors import DomainError
from reloop.core.pagination import page_number, paginate
from reloop.reviews import domain, services
from reloop.reviews import selectors as reviews
from reloop.reviews.errors import ReviewNotFound
from reloop.web.backoffice.review_forms import ReplyForm
from reloop.web.backoffice.shell import seller_of, seller_required

PER_PAGE = 20


@seller_required
@require_safe
def seller_reviews(request: HttpRequest) -> HttpResponse:
    """The seller's reviews, newest first, hidden ones marked, each with its reply form while it may change."""
    seller = seller_of(request)
    page = paginate(
        reviews.seller_reviews(seller=seller), page=page_number(request.GET.get("page")), page_size=PER_PAGE
    )
    now = clock.now()
    rows = [
        {
            "review": review,
            "can_reply": not review.is_hidden and domain.reply_editable(replied_at=review.replied_at, now=now),
            "form": ReplyForm(initial={"text": review.reply_text}, prefix=f"r{review.pk}"),
        }
        for review in page.items
    ]
    return render(
        request,
        "web/backoffice/reviews/list.html",
        {
            "seller": seller,
            "summary": reviews.seller_rating(seller=seller),
            "rows": rows,
            "page": page,
            "pages": page.meta()["pages"],
        },
    )


@seller_required
@require_POST
def seller_reply(request: HttpRequest, review_id: int) -> HttpResponse:
    seller = seller_of(request)
    form = ReplyForm(request.POST, prefix=f"r{review_id}")
    back = reverse("seller:reviews") + f"#review-{review_id}"
    if not form.is_valid():
        if reviews.seller_review(seller=seller, review_id=review_id) is None:
            raise Http404(f"No review {review_id}")
        messages.error(request, _("Your reply was not saved: write 1 to 1000 characters."))
        return HttpResponseRedirect(back)
    try:
        services.reply_to_review(
            actor=request.user,  # type: ignore[arg-type]
            seller=seller,
            review_id=review_id,
            text=form.cleaned_data["text"],
        )
    except ReviewNotFound as exc:
        raise Http404(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your reply is published."))
    return HttpResponseRedirect(back)
