"""The order emails: the buyer's confirmation with each seller's part and invoice PDFs attached, and the new-order
notice to each seller with the time it must accept by. Sent through ``notifications.queue_email`` (recorded, after
commit, once per event by their dedupe keys), in the buyer's market language and the seller's country's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.urls import NoReverseMatch, reverse
from django.utils import translation

from reloop.core import clock
from reloop.core.money import Money
from reloop.invoicing.models import Invoice
from reloop.invoicing.pdf import render_pdf
from reloop.markets.data import MARKETS
from reloop.markets.registry import market_timezone
from reloop.notifications.services import Attachment, language_for_country, queue_email, site_url
from reloop.orders.models import Order, OrderLine, SellerOrder
from reloop.sellers.models import SellerMember

MARKET_LOCALES = {m.code: m.locale for m in MARKETS}

#: A seller accepts within 1 business day of payment, or the line is cancelled (checkout.auto_cancel, the same
#: rule: ``ACCEPT_BUSINESS_DAYS``; kept here because orders' emails sit below checkout's layer).
ACCEPT_BUSINESS_DAYS = 1


def accept_deadline(paid_at: dt.datetime) -> dt.datetime:
    return clock.add_business_days(paid_at, ACCEPT_BUSINESS_DAYS)


def _link(name: str, language: str, *args: object) -> str:
    with translation.override(language):
        try:
            return site_url(reverse(name, args=args))
        except NoReverseMatch:
            return ""


def _attachments(invoice_ids: Sequence[int]) -> Sequence[Attachment]:
    return [
        Attachment(invoice.filename, render_pdf(invoice))
        for invoice in Invoice.objects.filter(pk__in=invoice_ids).order_by("pk")
    ]


CONFIRMATION = "invoicing/email/order_confirmation"
LINE_CANCELLED = "invoicing/email/line_cancelled"
NEW_SELLER_ORDER = "invoicing/email/new_seller_order"


def confirmation_context(order: Order, invoices: Sequence[Invoice]) -> dict[str, object]:
    parts = list(
        SellerOrder.objects.filter(order=order).select_related("seller").prefetch_related("lines").order_by("pk")
    )
    return {
        "order": order,
        "parts": parts,
        "invoices": invoices,
        "link": _link("web:order", order.market, order.number),
    }


def new_seller_order_context(order: Order, part: SellerOrder, language: str) -> dict[str, object]:
    return {
        "order": order,
        "part": part,
        "deadline": accept_deadline(order.paid_at or clock.now()),
        "link": _link("seller:order", language, part.pk),
    }


def send_order_confirmation(*, order: Order, invoices: Sequence[Invoice]) -> None:
    """The buyer's confirmation of a paid order: each seller's part and lines, the totals, the invoices attached."""
    invoice_ids = [invoice.pk for invoice in invoices]
    queue_email(
        to=order.buyer.email or "",
        template=CONFIRMATION,
        context=confirmation_context(order, invoices),
        language=order.market,
        time_zone=market_timezone(order.market),
        about=("order", order.number),
        dedupe_key=f"order_confirmation:{order.number}",
        attachments=lambda: _attachments(invoice_ids),
    )


def send_new_order_to_sellers(*, order: Order) -> int:
    """Tell each seller of the order, every member of its team, that it has a new order to accept by the
    deadline. Returns how many messages were queued."""
    parts = SellerOrder.objects.filter(order=order).select_related("seller").prefetch_related("lines").order_by("pk")
    members = SellerMember.objects.filter(seller__in=[p.seller_id for p in parts]).select_related("user")
    emails: dict[int, list[str]] = {}
    for member in members.order_by("pk"):
        if member.user.email:
            emails.setdefault(member.seller_id, []).append(member.user.email)
    queued = 0
    for part in parts:
        language = language_for_country(part.seller.country)
        for email in emails.get(part.seller_id, []):
            message = queue_email(
                to=email,
                template=NEW_SELLER_ORDER,
                context=new_seller_order_context(order, part, language),
                language=language,
                time_zone=market_timezone(language),
                about=("seller_order", part.pk),
                dedupe_key=f"new_seller_order:{part.pk}:{email.lower()}",
            )
            queued += message is not None
    return queued


def send_cancellation(*, note: Invoice) -> None:
    """Tell the buyer a line was cancelled before shipping and refunded, the credit note attached. Once per note."""
    if note.line_id is None:
        return
    order = Order.objects.select_related("buyer").get(pk=note.order_id)
    line = OrderLine.objects.get(pk=note.line_id)
    queue_email(
        to=order.buyer.email or "",
        template=LINE_CANCELLED,
        context={
            "order": order,
            "line": line,
            "note": note,
            "refund": Money(note.total, note.currency).format(MARKET_LOCALES.get(order.market, "en_GB")),
            "link": _link("web:order", order.market, order.number),
        },
        language=order.market,
        time_zone=market_timezone(order.market),
        about=("order", order.number),
        dedupe_key=f"line_cancelled:{note.pk}",
        attachments=lambda: _attachments([note.pk]),
    )
