"""Buyer emails about a parcel (plain text, in the order's market language), sent after the write commits through
``notifications.queue_email``: recorded in the email log, once per shipment and message."""

from __future__ import annotations

import logging

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from reloop.fulfillment.models import Shipment
from reloop.markets.registry import market_timezone
from reloop.notifications.services import queue_email

logger = logging.getLogger(__name__)


def _shipment(shipment_id: int) -> Shipment | None:
    return (
        Shipment.objects.select_related("seller_order__order__buyer", "seller_order__seller")
        .prefetch_related("seller_order__lines")
        .filter(pk=shipment_id)
        .first()
    )


def _send(*, shipment_id: int, template: str, subject: Promise) -> None:
    """Email the buyer of the shipment's order ``template`` (``<name>.txt``) with ``subject`` (a lazy text with
    ``%(number)s``, the order number), both in the order's market language, through ``notifications`` (recorded,
    once per shipment and message)."""
    shipment = _shipment(shipment_id)
    if shipment is None:
        return
    order = shipment.seller_order.order
    if not order.buyer.email:
        return
    with translation.override(order.market):
        title = str(subject) % {"number": order.number}
    queue_email(
        to=order.buyer.email,
        template=template,
        subject=title,
        context={
            "order": order,
            "part": shipment.seller_order,
            "shipment": shipment,
            "lines": shipment.seller_order.lines.all(),
        },
        language=order.market,
        time_zone=market_timezone(order.market),
        about=("order", order.number),
        dedupe_key=f"{template}:{shipment.pk}",
    )


def send_shipped(*, shipment_id: int) -> None:
    _send(
        shipment_id=shipment_id,
        template="fulfillment/email/shipped",
        subject=gettext_lazy("Your order %(number)s has shipped"),
    )


def send_delivered(*, shipment_id: int) -> None:
    _send(
        shipment_id=shipment_id,
        template="fulfillment/email/delivered",
        subject=gettext_lazy("Your order %(number)s was delivered"),
    )
