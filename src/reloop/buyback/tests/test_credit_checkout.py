"""Reloop credit at checkout: a trade-in's credit pays an order whole, the ledger balances, a cancellation gives
the money back to the credit, and credit that does not cover the order is refused with nothing spent."""

from __future__ import annotations

import datetime as dt

import pytest

from reloop.buyback import credit, services
from reloop.buyback.tests.factories import NOW, accepted_tradein, phone
from reloop.checkout.services import Checkout, add_to_cart, cancel_line, ensure_cart, start_checkout
from reloop.core import clock
from reloop.devices.tests.factories import imei
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import OrderLine, OrderStatus
from reloop.payments import domain as ledger
from reloop.payments.checks import failed, run_checks
from reloop.payments.models import Posting
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db
ADDRESS = {"full_name": "Ada Lovelace", "line1": "1 High Street", "postal_code": "SW1A 1AA", "city": "London"}


def credited_customer(amount: int = 20000):
    tradein = accepted_tradein(price=amount)
    with clock.frozen_at(NOW + dt.timedelta(days=1)):
        services.receive_tradein(actor=None, seller=tradein.seller, number=tradein.number, identifier=imei(1))
        services.validate_tradein(actor=None, seller=tradein.seller, number=tradein.number)
    return tradein.customer


def checkout_with_credit(customer, price: int, key: str = "k1"):
    offer = make_offer(seller=SellerFactory.create(), variant=phone(), price=price)
    cart = ensure_cart(user=customer, token=None, market="en-gb")
    add_to_cart(cart=cart, offer_id=offer.pk, quantity=1)
    return start_checkout(
        checkout=Checkout(
            buyer=customer, cart=cart, shipping_address=ADDRESS, shipping={}, idempotency_key=key, use_credit=True
        )
    )


def test_credit_pays_the_order_and_a_cancellation_gives_it_back():
    customer = credited_customer(20000)
    started = checkout_with_credit(customer, 15000)
    order = started.order
    assert (order.status, started.redirect_url) == (OrderStatus.PAID, "")
    assert credit.is_credit_payment(order.payment_reference)
    assert credit.available_credit(user_id=customer.pk, currency="GBP") == 20000 - order.total
    assert failed(run_checks()) == []
    # the same checkout again (a double click) spends nothing more
    again = start_checkout(
        checkout=Checkout(
            buyer=customer,
            cart=ensure_cart(user=customer, token=None, market="en-gb"),
            shipping_address=ADDRESS,
            shipping={},
            idempotency_key="k1",
            use_credit=True,
        )
    )
    assert again.order.pk == order.pk
    assert credit.available_credit(user_id=customer.pk, currency="GBP") == 20000 - order.total
    # cancelled before shipping: the whole order (item and shipping) goes back to the credit
    line = OrderLine.objects.get(seller_order__order=order)
    cancel_line(line_id=line.pk, actor=None, actor_kind="seller", reason="out of stock")
    assert credit.available_credit(user_id=customer.pk, currency="GBP") == 20000
    assert sum(Posting.objects.filter(account__code=ledger.PSP_RECEIVABLE).values_list("amount", flat=True)) == 0
    assert failed(run_checks()) == []


def test_credit_that_does_not_cover_the_order_is_refused_and_nothing_is_spent():
    customer = credited_customer(5000)
    with pytest.raises(credit.NotEnoughCredit):
        checkout_with_credit(customer, 15000)
    assert credit.available_credit(user_id=customer.pk, currency="GBP") == 5000
    assert failed(run_checks()) == []


def test_an_after_sales_refund_of_a_credit_order_goes_back_to_the_credit():
    from reloop.accounts.tests.factories import UserFactory
    from reloop.aftersales.refunds import refund_case
    from reloop.aftersales.services import open_return
    from reloop.fulfillment.services import confirm_delivery, ship_seller_order
    from reloop.orders.models import SellerOrder
    from reloop.sellers.tests.factories import SellerMemberFactory

    customer = credited_customer(20000)
    order = checkout_with_credit(customer, 15000).order
    part = SellerOrder.objects.get(order=order)
    line = OrderLine.objects.get(seller_order=part)
    ship_seller_order(
        actor=None,
        seller=part.seller,
        seller_order_id=part.pk,
        carrier="royal_mail",
        tracking_number="AB123456789GB",
        units={line.pk: [imei(2)]},
    )
    confirm_delivery(actor=customer, order_number=order.number, seller_order_id=part.pk)
    case = open_return(actor=customer, line_id=line.pk, reason="change_of_mind", description="Too big")
    member = SellerMemberFactory.create(seller=part.seller, user=UserFactory.create())
    before = credit.available_credit(user_id=customer.pk, currency="GBP")
    refund_case(actor=member.user, case_id=case.pk)
    assert credit.available_credit(user_id=customer.pk, currency="GBP") == before + line.line_total
    assert failed(run_checks()) == []


def test_the_checkout_page_offers_the_credit_and_places_the_order_with_it(client):
    from reloop.orders.models import Order

    customer = credited_customer(40000)
    offer = make_offer(seller=SellerFactory.create(), variant=phone(), price=30000)
    client.force_login(customer)
    client.post("/en-gb/cart/add/", {"offer": offer.pk})
    page = client.get("/en-gb/checkout/").content.decode()
    assert "Pay the whole order with my Reloop credit (£400.00 available" in page
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    form = {
        "country": "GB",
        "form_country": "GB",
        "full_name": "Ada Lovelace",
        "line1": "1 Road",
        "postal_code": "sw1a1aa",
        "city": "London",
        "idempotency_key": key,
        "accept_terms": "on",
        f"shipping_{offer.seller_id}": "express",
        "expected_total": 30000 + 899,
        "use_credit": "1",
    }
    placed = client.post("/en-gb/checkout/", form)
    order = Order.objects.get()
    assert placed["Location"] == f"/en-gb/orders/{order.number}/"  # no provider page: the credit paid it
    assert order.status == OrderStatus.PAID
    assert credit.available_credit(user_id=customer.pk, currency="GBP") == 40000 - 30899
    assert failed(run_checks()) == []
