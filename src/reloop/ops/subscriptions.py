"""The one registry of event handlers (DESIGN.md section 3): who reacts to what, after commit."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in

from reloop.catalog.events import CatalogueChanged
from reloop.catalog.services import touch_variants
from reloop.checkout import handlers as checkout
from reloop.core.events import subscribe
from reloop.invoicing import handlers as invoicing
from reloop.offers.events import OffersChanged, OfferStockChanged
from reloop.orders.events import LineStateChanged, OrderPaid
from reloop.payments.events import PaymentWebhookReceived
from reloop.pricing import handlers as pricing
from reloop.search import handlers as search
from reloop.sellers.events import SellerStandingChanged


def register() -> None:
    user_logged_in.connect(checkout.on_user_logged_in, dispatch_uid="reloop.checkout.claim_cart")
    # What shoppers see (buy boxes, page cache, search) is refreshed before the response that changed it
    # (ADR 0043); order, payment and invoice work may follow the response.
    subscribe(OffersChanged, pricing.on_offers_changed, before_response=True)
    # the battery-tier facet reads offers (docs/search.md)
    subscribe(OffersChanged, search.on_offers_changed, before_response=True)
    subscribe(SellerStandingChanged, pricing.on_seller_standing_changed, before_response=True)
    subscribe(OrderPaid, checkout.on_order_paid)
    subscribe(OrderPaid, invoicing.on_order_paid)  # invoices, then the confirmation and new-order emails
    subscribe(LineStateChanged, invoicing.on_line_state_changed)  # credit notes
    subscribe(PaymentWebhookReceived, checkout.on_payment_webhook)
    subscribe(OfferStockChanged, on_offer_stock_changed, before_response=True)
    subscribe(CatalogueChanged, search.on_catalogue_changed, before_response=True)


def on_offer_stock_changed(event: OfferStockChanged) -> None:
    touch_variants(variant_ids=event.variant_ids)
