"""The ledger's balances and latest transactions for operators (``payments.view_ledgertransaction``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from reloop.payments import selectors as payments
from reloop.web.console.access import operator_required

#: Reading the ledger: given to finance staff in the admin (superusers have every permission).
LEDGER_PERMISSION = "payments.view_ledgertransaction"


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
        "web/console/ledger.html",
        {"currencies": by_currency, "transactions": payments.latest_transactions(limit=50)},
    )
