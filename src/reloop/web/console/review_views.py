"""Review moderation for operators (``reviews.moderate_review``): hide a review with a reason, or restore it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from reloop.core.errors import DomainError
from reloop.core.pagination import page_number, paginate
from reloop.reviews import selectors as reviews
from reloop.reviews import services
from reloop.reviews.errors import ReviewNotFound
from reloop.web.console.access import operator_required
from reloop.web.console.review_forms import HideForm, RestoreForm

PER_PAGE = 20


@require_safe
@operator_required(services.MODERATE_PERMISSION)
def moderation(request: HttpRequest) -> HttpResponse:
    """Every review, newest first, filtered by visibility; hide with a reason or restore."""
    show = request.GET.get("show", "all")
    if show not in SHOW:
        show = "all"
    page = paginate(
        reviews.moderation_queue(hidden=SHOW[show]), page=page_number(request.GET.get("page")), page_size=PER_PAGE
    )
    return render(
        request,
        "web/console/reviews/moderation.html",
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


SHOW = {"all": None, "visible": False, "hidden": True}
