"""Buyer emails about a parcel (plain text, in the order's market language), sent after the write commits."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from reloop.fulfillment.models import Shipment

logger = logging.getLogger(__name__)


def _shipment(shipment_id: int) -> Shipment | None:
    return (
        Shipment.objects.select_related("seller_order__order__buyer", "seller_order__seller")
        .prefetch_related("seller_order__lines")
        .filter(pk=shipment_id)
        .first()
    )


def _send(*, shipment_id: int, template: str, subject: Promise) -> None:
    """Email the buyer of the shipment's order ``template`` with ``subject`` (a lazy text with ``%(number)s``, the
    order number), both in the order's market language."""
    shipment = _shipment(shipment_id)
    if shipment is None:
        return
    order = shipment.seller_order.order
    with translation.override(order.market):
        if not order.buyer.email:
            return
        body = render_to_string(
            template,
            {
                "order": order,
                "part": shipment.seller_order,
                "shipment": shipment,
                "lines": shipment.seller_order.lines.all(),
            },
        )
        send_mail(str(subject) % {"number": order.number}, body, None, [order.buyer.email])


def send_shipped(*, shipment_id: int) -> None:
    _send(
        shipment_id=shipment_id,
        template="fulfillment/email/shipped.txt",
        subject=gettext_lazy("Your order %(number)s has shipped"),
    )


def send_delivered(*, shipment_id: int) -> None:
    _send(
        shipment_id=shipment_id,
        template="fulfillment/email/delivered.txt",
        subject=gettext_lazy("Your order %(number)s was delivered"),
    )
