"""The registry of event handlers (``reloop.ops.subscriptions``): which events are delivered before the web response
that caused them (ADR 0043)."""

from __future__ import annotations

from reloop.catalog.events import CatalogueChanged
from reloop.core.events import delivered_before_response
from reloop.offers.events import OffersChanged, OfferStockChanged
from reloop.orders.events import LineStateChanged, OrderPaid
from reloop.payments.events import PaymentWebhookReceived
from reloop.sellers.events import SellerStandingChanged


def test_events_that_change_what_shoppers_see_are_delivered_before_the_response():
    # subscribed once, when Django started: buy boxes, page-cache versions and the search index
    for shown in (OffersChanged, OfferStockChanged, CatalogueChanged, SellerStandingChanged):
        assert delivered_before_response(shown), shown


def test_order_payment_and_invoice_work_may_follow_the_response():
    # the settlement, the invoice and its PDF, the emails and credit notes: what the buyer need not wait for
    for later in (OrderPaid, PaymentWebhookReceived, LineStateChanged):
        assert not delivered_before_response(later), later
