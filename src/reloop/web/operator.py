"""Operator pages (platform staff): the ledger's balances and latest transactions.

Staff only: an anonymous visitor is sent to the admin login, a signed-in user who is not staff or lacks the
permission gets 403. Views parse, authorize, call payments selectors and render.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from reloop.payments import selectors as payments

View = Callable[..., HttpResponseBase]  # HttpResponseBase: streamed exports (CSV) are operator views too

#: Reading the ledger: given to finance staff in the admin (superusers have every permission).
LEDGER_PERMISSION = "payments.view_ledgertransaction"


def operator_required(permission: str) -> Callable[[View], View]:
    """Anonymous → admin login (then back here); signed in without staff status or ``permission`` → 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            if not (user.is_active and user.is_staff and user.has_perm(permission)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@require_safe
@operator_required(LEDGER_PERMISSION)
def ledger(request: HttpRequest) -> HttpResponse:
    """Every account's balance by currency, the per-currency totals (zero when the ledger is sound) and the 50
    latest transactions with their postings. A constant number of queries, whatever the number of accounts."""
    accounts = payments.balances()
    totals = payments.totals_by_currency(accounts)
    by_currency = [
        {"currency": currency, "accounts": [a for a in accounts if a.balance.currency == currency], "total": total}
        for currency, total in totals.items()
    ]
    return render(
        request,
        "web/operator/ledger.html",
        {"currencies": by_currency, "transactions": payments.latest_transactions(limit=50)},
    )
