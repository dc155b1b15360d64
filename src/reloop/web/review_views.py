"""Review pages: the buyer's review form (from the order page), the seller's reviews with replies, and the
operators' moderation. Views parse, authorize, call one service or selector, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from reloop.core import clock
from reloop.core.errors import DomainError
from reloop.core.pagination import paginate
from reloop.reviews import domain, services
from reloop.reviews import selectors as reviews
from reloop.reviews.errors import LineNotFound, ReviewNotFound
from reloop.web.backoffice import seller_of, seller_required
from reloop.web.operator import operator_required
from reloop.web.review_forms import HideForm, ReplyForm, RestoreForm, ReviewForm

PER_PAGE = 20


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 10_000 else 1


# --- Buyer -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def write_review(request: HttpRequest, number: str, line_id: int) -> HttpResponse:
    """Review one delivered line of one's own order; another buyer's line is a 404."""
    try:
        line = reviews.buyer_line(buyer=request.user, number=number, line_id=line_id)  # type: ignore[arg-type]
    except LineNotFound as exc:
        raise Http404(str(exc)) from exc
    slot = reviews.review_slots(lines=[line])[line.pk]
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.write_review(actor=request.user, line_id=line.pk, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Thank you: your review is published."))
            return HttpResponseRedirect(reverse("web:order", args=[number]) + f"#line-{line.pk}")
    return render(
        request, "web/reviews/write.html", {"line": line, "order": line.seller_order.order, "slot": slot, "form": form}
    )


# --- Seller back office ------------------------------------------------------------------------------------


@seller_required
@require_safe
def seller_reviews(request: HttpRequest) -> HttpResponse:
    """The seller's reviews, newest first, hidden ones marked, each with its reply form while it may change."""
    seller = seller_of(request)
    page = paginate(reviews.seller_reviews(seller=seller), page=_page_number(request), page_size=PER_PAGE)
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
        "web/reviews/seller_reviews.html",
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


# --- Operator moderation -------------------------------------------------------------------------------------

SHOW = {"all": None, "visible": False, "hidden": True}


@require_safe
@operator_required(services.MODERATE_PERMISSION)
def moderation(request: HttpRequest) -> HttpResponse:
    """Every review, newest first, filtered by visibility; hide with a reason or restore."""
    show = request.GET.get("show", "all")
    if show not in SHOW:
        show = "all"
    page = paginate(reviews.moderation_queue(hidden=SHOW[show]), page=_page_number(request), page_size=PER_PAGE)
    return render(
        request,
        "web/reviews/moderation.html",
        {"page": page, "pages": page.meta()["pages"], "show": show, "page_query": f"show={show}"},
    )


def _moderate(request: HttpRequest, *, hide: bool) -> HttpResponse:
    form: HideForm | RestoreForm = HideForm(request.POST) if hide else RestoreForm(request.POST)
    show = request.POST.get("show", "all")
    back = reverse("operator:reviews") + f"?show={show if show in SHOW else 'all'}"
    if not form.is_valid():
        messages.error(request, _("Nothing changed: a reason of 3 to 300 characters is needed to hide a review."))
        return HttpResponseRedirect(back)
    review_id = form.cleaned_data["review"]
    try:
        if hide:
            services.hide_review(actor=request.user, review_id=review_id, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
        else:
            services.restore_review(actor=request.user, review_id=review_id)  # type: ignore[arg-type]
    except ReviewNotFound as exc:
        raise Http404(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Review hidden.") if hide else _("Review shown again."))
    return HttpResponseRedirect(back + f"#review-{review_id}")


@require_POST
@operator_required(services.MODERATE_PERMISSION)
def hide(request: HttpRequest) -> HttpResponse:
    return _moderate(request, hide=True)


@require_POST
@operator_required(services.MODERATE_PERMISSION)
def restore(request: HttpRequest) -> HttpResponse:
    return _moderate(request, hide=False)
