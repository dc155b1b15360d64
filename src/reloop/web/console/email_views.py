"""Operator pages for email: every message sent (search by address or order number, read it as it was sent) and
a preview of each order email rendered from the latest order, in any market language, without sending."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from reloop.invoicing import emails
from reloop.invoicing.models import Invoice
from reloop.markets.data import MARKET_CODES
from reloop.markets.registry import market_timezone
from reloop.notifications.selectors import message, recent_messages
from reloop.notifications.services import language_for_country, render_email
from reloop.orders.models import Order, OrderStatus, SellerOrder
from reloop.web.console.access import operator_required

#: Reading who was sent what: support staff get it in the admin (superusers have every permission).
EMAIL_PERMISSION = "notifications.view_message"
#: The HTML part opened on its own page: inline styles only, nothing loaded, no script, not framed elsewhere.
EMAIL_HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
PREVIEWS = (emails.CONFIRMATION, emails.NEW_SELLER_ORDER)


@require_safe
@operator_required(EMAIL_PERMISSION)
def email_log(request: HttpRequest) -> HttpResponse:
    to = request.GET.get("to", "")[:254].replace("\x00", "")
    about = request.GET.get("object", "")[:60].replace("\x00", "")
    return render(
        request,
        "web/console/emails.html",
        {"messages_sent": recent_messages(to=to, object_id=about), "to": to, "about": about, "previews": PREVIEWS,
         "markets": MARKET_CODES},
    )  # fmt: skip


@require_safe
@operator_required(EMAIL_PERMISSION)
def email_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    sent = message(message_id=message_id)
    if sent is None:
        raise Http404("No such message")
    return render(request, "web/console/email.html", {"sent": sent})


def html_response(html: str) -> HttpResponse:
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = EMAIL_HTML_POLICY
    return response


@require_safe
@operator_required(EMAIL_PERMISSION)
def email_html(request: HttpRequest, message_id: int) -> HttpResponse:
    sent = message(message_id=message_id)
    if sent is None or not sent.body_html:
        raise Http404("No HTML part")
    return html_response(sent.body_html)


@require_safe
@operator_required(EMAIL_PERMISSION)
def email_preview(request: HttpRequest, template: str) -> HttpResponse:
    """``template`` rendered from the latest paid order in ``?market=`` (default: that order's), nothing sent."""
    if template not in PREVIEWS:
        raise Http404("No preview for this message")
    order = Order.objects.filter(status=OrderStatus.PAID).select_related("buyer").order_by("-pk").first()
    if order is None:
        return render(request, "web/console/email.html", {"no_order": True})
    language = request.GET.get("market", "")
    if template == emails.CONFIRMATION:
        language = language if language in MARKET_CODES else order.market
        context = emails.confirmation_context(order, list(Invoice.objects.filter(order=order, kind="invoice")))
    else:
        part = SellerOrder.objects.filter(order=order).select_related("seller").first()
        if part is None:
            raise Http404("No seller order")
        language = language if language in MARKET_CODES else language_for_country(part.seller.country)
        context = emails.new_seller_order_context(order, part, language)
    rendered = render_email(template=template, context=context, language=language, time_zone=market_timezone(language))
    if request.GET.get("part") == "html":
        return html_response(rendered.html)
    return render(
        request,
        "web/console/email.html",
        {"preview": rendered, "template": template, "language": language, "order": order, "markets": MARKET_CODES},
    )
