"""The test provider's own pages: its hosted card form and its 3-D Secure challenge.

They stand for the pages a real provider serves on its own domain (Stripe Checkout, Adyen's Drop-in), mounted
under ``/_provider/test/`` so that the demo and the tests walk the path production takes: Reloop's server creates
the payment, the buyer types the card **here**, the provider tells Reloop by a signed webhook and sends the buyer
back. No Reloop view (``web``, ``api``, ``checkout``) ever receives the card number.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from reloop.core.errors import DomainError
from reloop.payments.errors import ChargeNotFound, InvalidCard, PaymentNotConfirmable
from reloop.payments.inbox import receive_webhook
from reloop.payments.instalments import instalment_schedule
from reloop.payments.providers.base import Payment, PaymentStatus
from reloop.payments.providers.testing import TEST_CARDS, TestProvider

logger = logging.getLogger(__name__)


def _payment_or_404(provider: TestProvider, reference: str) -> Payment:
    try:
        return provider.retrieve_payment(reference=reference)
    except ChargeNotFound as exc:
        raise Http404(str(exc)) from exc


def deliver_webhook(reference: str) -> None:
    """Send the signed ``payment.updated`` event, as the provider would POST it (in-process, through the same
    verification as ``/payments/webhooks/test``). ``RELOOP_TEST_PROVIDER_WEBHOOKS=0`` turns it off, so that only
    the return redirect tells Reloop (and the reconciliation job)."""
    if not getattr(settings, "RELOOP_TEST_PROVIDER_WEBHOOKS", True):
        return
    headers, body = TestProvider().payment_event(reference=reference)
    try:
        receive_webhook(provider="test", headers=headers, body=body)
    except DomainError:  # a real provider retries later; the return redirect or reconciliation catches up
        logger.exception("Test provider webhook for %s was refused", reference)


@require_http_methods(["GET", "HEAD", "POST"])
def pay(request: HttpRequest, reference: str) -> HttpResponse:
    """The hosted card form. POST ``card``: authorized (back to the shop), on to the 3-D Secure challenge, or
    declined: the page says why and takes another card (the payment waits for one while the shop holds the order)."""
    provider = TestProvider()
    payment = _payment_or_404(provider, reference)
    if payment.status is PaymentStatus.REQUIRES_ACTION:
        return HttpResponseRedirect(reverse("test_provider_3ds", args=[reference]))
    if payment.status is not PaymentStatus.REQUIRES_PAYMENT:
        return HttpResponseRedirect(provider.return_url(reference=reference))
    error = declined = ""
    if request.method == "POST":
        try:
            payment = provider.confirm_with_card(reference=reference, card=request.POST.get("card", ""))
        except InvalidCard as exc:
            error = exc.message
        except PaymentNotConfirmable:
            return HttpResponseRedirect(provider.return_url(reference=reference))
        else:
            deliver_webhook(reference)
            if payment.status is PaymentStatus.REQUIRES_ACTION:
                return HttpResponseRedirect(reverse("test_provider_3ds", args=[reference]))
            if payment.status is not PaymentStatus.REQUIRES_PAYMENT:
                return HttpResponseRedirect(provider.return_url(reference=reference))
            # Declined: the buyer stays here and may try another card while the shop holds the order.
            declined = payment.failure_message
    else:
        declined = payment.failure_message  # back from a failed challenge, or the page reloaded after a decline
    schedule = instalment_schedule(payment.amount, payment.instalments) if payment.instalments > 1 else ()
    locale = get_language() or "en"
    return render(
        request,
        "payments/test_provider/pay.html",
        {
            "payment": payment,
            "amount": payment.amount.format(locale),
            "schedule": [part.format(locale) for part in schedule],
            "error": error,
            "declined": declined,
            "test_cards": TEST_CARDS,
            "return_url": provider.return_url(reference=reference),
        },
        status=422 if error else 402 if declined and request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def challenge(request: HttpRequest, reference: str) -> HttpResponse:
    """The bank's 3-D Secure page: "Complete authentication" or "Fail authentication"."""
    provider = TestProvider()
    payment = _payment_or_404(provider, reference)
    if payment.status is not PaymentStatus.REQUIRES_ACTION:
        return HttpResponseRedirect(provider.return_url(reference=reference))
    if request.method == "POST":
        try:
            provider.authenticate(reference=reference, passed=request.POST.get("outcome") == "pass")
        except PaymentNotConfirmable:
            pass
        else:
            deliver_webhook(reference)
        if provider.retrieve_payment(reference=reference).status is PaymentStatus.REQUIRES_PAYMENT:
            return HttpResponseRedirect(reverse("test_provider_pay", args=[reference]))  # failed: another card
        return HttpResponseRedirect(provider.return_url(reference=reference))
    amount = payment.amount.format(get_language() or "en")
    return render(request, "payments/test_provider/challenge.html", {"payment": payment, "amount": amount})


@require_POST
def leave(request: HttpRequest, reference: str) -> HttpResponse:
    """ "Cancel and return to the shop": the payment is left unconfirmed; the shop decides what to do with it."""
    provider = TestProvider()
    _payment_or_404(provider, reference)
    return HttpResponseRedirect(provider.return_url(reference=reference))
