"""The buyer's review form, reached from a delivered order line. Views parse, authorize, call one service or
selector, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reloop.core.errors import DomainError
from reloop.reviews import selectors as reviews
from reloop.reviews import services
from reloop.reviews.errors import LineNotFound
from reloop.web.storefront.review_forms import ReviewForm


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
        request,
        "web/storefront/reviews/write.html",
        {"line": line, "order": line.seller_order.order, "slot": slot, "form": form},
    )
