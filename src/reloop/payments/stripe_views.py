"""The page where a buyer confirms a Stripe payment in Stripe's own card fields (Stripe.js Elements: the card
number is typed into Stripe's iframe and sent from the browser to Stripe, never to Reloop). Stripe.js runs the
3-D Secure challenge, then the page sends the buyer to the payment's return URL with ``?payment_intent=``. A
declined card or a failed challenge keeps the buyer on this page to try another card (the PaymentIntent waits for
one); the page shows the last decline when it is opened again.
"""

from __future__ import annotations

from urllib.parse import urlsplit

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
    metadata = intent["metadata"] or {}
    as_dict = metadata.to_dict() if hasattr(metadata, "to_dict") else dict(metadata)  # a StripeObject is not a dict
    return_url = str(as_dict.get("return_url") or "/")
    separator = "&" if "?" in return_url else "?"
    back = f"{return_url}{separator}payment_intent={reference}"
    if payment.status not in (PaymentStatus.REQUIRES_PAYMENT, PaymentStatus.REQUIRES_ACTION):
        return HttpResponseRedirect(back)
    settings = conf.stripe_settings()
    response = render(
        request,
        "payments/stripe/pay.html",
        {
            "payment": payment,
            "client_secret": intent["client_secret"],
            "publishable_key": settings["publishable_key"],
            "stripe_js": settings["js_url"],
            "return_url": back,
            "declined": payment.failure_message,  # the last attempt's decline: the buyer tries another card
        },
    )
    _allow_stripe_js(response, js_url=settings["js_url"], api_base=settings["api_base"])
    return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _allow_stripe_js(response: HttpResponse, *, js_url: str, api_base: str) -> None:
    """Open this page's Content-Security-Policy (self only everywhere else) to Stripe.js: its script, the frames of
    its card fields and 3-D Secure challenge, and its calls to Stripe's API (or a local emulator's origins)."""
    js = _origin(js_url) or "https://js.stripe.com"
    api = _origin(api_base) or "https://api.stripe.com"
    response._csp_update = {"script-src": [js], "connect-src": [api]}  # type: ignore[attr-defined]
    response._csp_replace = {"frame-src": sorted({js, "https://hooks.stripe.com"})}  # type: ignore[attr-defined]
