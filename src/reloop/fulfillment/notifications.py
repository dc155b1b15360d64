"""Buyer emails about a parcel (plain text, in the order's market language), sent after the write commits."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from reloop.fulfillment.models import Shipment

logger = logging.getLogger(__name__)


def _shipment(shipment_id: int) -> Shipment | None:
    return (
        Shipment.objects.select_related("seller_order__order__buyer", "seller_order__seller")
        .prefetch_related("seller_order__lines")
        .filter(pk=shipment_id)
        .first()
    )


def _send(shipment: Shipment, template: str, subject: str) -> None:
    order = shipment.seller_order.order
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
    send_mail(subject, body, None, [order.buyer.email])


def send_shipped(*, shipment_id: int) -> None:
    shipment = _shipment(shipment_id)
    if shipment is None:
        return
    order = shipment.seller_order.order
    with translation.override(order.market):
        subject = _("Your order %(number)s has shipped") % {"number": order.number}
        _send(shipment, "fulfillment/email/shipped.txt", subject)


def send_delivered(*, shipment_id: int) -> None:
    shipment = _shipment(shipment_id)
    if shipment is None:
        return
    order = shipment.seller_order.order
    with translation.override(order.market):
        subject = _("Your order %(number)s was delivered") % {"number": order.number}
        _send(shipment, "fulfillment/email/delivered.txt", subject)
