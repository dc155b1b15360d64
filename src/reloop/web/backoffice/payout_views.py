"""Seller back office: payouts — the balances (on hold, available, a debt carried), the next payout and its
estimate, the payout history and each payout's statement.

Owners only (``@seller_required(owner=True)``): where the money goes is the owner's business, as the team and the
API keys are; staff run offers and orders. Views parse, authorize, call payments selectors and render.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from reloop.core import clock
from reloop.core.pagination import page_number, paginate
from reloop.payments import conf
from reloop.payments import selectors as payouts
from reloop.payments.errors import PayoutNotFound
from reloop.web.backoffice.shell import seller_of, seller_required

PAGE_SIZE = 25


@require_safe
@seller_required(owner=True)
def payout_list(request: HttpRequest) -> HttpResponse:
    """Balances per currency, then the payouts newest first (25 a page). Constant queries per page."""
    seller = seller_of(request)
    page = paginate(
        payouts.seller_payouts(seller=seller), page=page_number(request.GET.get("page")), page_size=PAGE_SIZE
    )
    return render(
        request,
        "web/backoffice/payouts/list.html",
        {
            "seller": seller,
            "balances": payouts.seller_payout_balances(seller=seller, today=clock.today()),
            "page": page,
            "pages": page.meta()["pages"],
            "hold_days": conf.payout_hold_days(),
        },
    )


@require_safe
@seller_required(owner=True)
def payout_detail(request: HttpRequest, payout_id: int) -> HttpResponse:
    """One payout's statement: the lines released and the refunds deducted. Another seller's payout is a 404."""
    try:
        statement = payouts.payout_statement(seller=seller_of(request), payout_id=payout_id)
    except PayoutNotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "web/backoffice/payouts/detail.html", {"statement": statement, "payout": statement.payout})
