"""The page where a buyer confirms a Stripe payment in Stripe's own card fields (Stripe.js Elements: the card
number is typed into Stripe's iframe and sent from the browser to Stripe, never to Reloop). Stripe.js runs the
3-D Secure challenge, then the page sends the buyer to the payment's return URL with ``?payment_intent=``.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_safe

from reloop.payments import conf
from reloop.payments.errors import ChargeNotFound
from reloop.payments.providers.base import PaymentStatus


@require_safe
def pay(request: HttpRequest, reference: str) -> HttpResponse:
    from reloop.payments.providers.stripe import StripeProvider

    provider = StripeProvider()
    try:
        intent = provider._intent(reference)
    except ChargeNotFound as exc:
        raise Http404(str(exc)) from exc
    payment = provider._payment(intent)
    return_url = str((intent["metadata"] or {}).get("return_url") or "/")
    separator = "&" if "?" in return_url else "?"
    back = f"{return_url}{separator}payment_intent={reference}"
    if payment.status not in (PaymentStatus.REQUIRES_PAYMENT, PaymentStatus.REQUIRES_ACTION):
        return HttpResponseRedirect(back)
    settings = conf.stripe_settings()
    return render(
        request,
        "payments/stripe/pay.html",
        {
            "payment": payment,
            "client_secret": intent["client_secret"],
            "publishable_key": settings["publishable_key"],
            "stripe_js": settings["js_url"],
            "return_url": back,
        },
    )
