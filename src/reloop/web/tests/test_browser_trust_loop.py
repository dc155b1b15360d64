"""The whole trust loop in two browsers: a buyer pays for a phone, its seller accepts and ships it with tracking and
an IMEI, the buyer says it arrived and returns it, the seller takes it back and refunds; the buyer sees every step,
the ledger balances and the card is refunded once."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command

from reloop.accounts.models import User
from reloop.aftersales.models import Case
from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, ReferencePriceFactory, VariantFactory
from reloop.devices.tests.factories import IMEIS
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import Order, OrderLine
from reloop.payments.checks import failed, run_checks
from reloop.payments.providers.testing import TestCharge, TestRefund
from reloop.sellers.tests.factories import SellerMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"
SHOTS = Path(tempfile.gettempdir())  # /tmp/journey-*.png, looked at when the pages change


def sign_in(page, live_server, email, next_url):
    page.goto(f"{live_server.url}/en-gb/account/sign-in/?next={next_url}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.IGNORECASE)).click()


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"journey-{name}.png"), full_page=True)


def test_buy_ship_deliver_return_and_refund_seen_by_the_buyer_at_each_step(live_server, page, browser):
    from playwright.sync_api import expect

    # Given a refurbisher (its owner has a back-office account) selling one phone, and a buyer with an account
    phones = CategoryFactory(slug="smartphones", name="Smartphones")
    variant = VariantFactory(product_model=ProductModelFactory(category=phones, name="Pixel 7"))
    ReferencePriceFactory(variant=variant, amount=59900)
    owner = User.objects.create_user(username="sam@example.com", email="sam@example.com", password=PASSWORD)
    member = SellerMemberFactory(user=owner, seller__name="Alpha Refurb")
    make_offer(seller=member.seller, variant=variant, price=32900, stock=3)
    User.objects.create_user(username="ada@example.com", email="ada@example.com", password=PASSWORD)

    # 1. The buyer puts the phone in the cart and pays with a test card
    sign_in(page, live_server, "ada@example.com", "/en-gb/")
    page.goto(f"{live_server.url}/en-gb/p/{variant.product_model.slug}/{variant.slug}/")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
    page.get_by_role("link", name="Checkout").click()
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Address line 1").fill("12 St James's Square")
    page.get_by_label("Postcode").fill("SW1Y 4LB")
    page.get_by_label("Town or city").fill("London")
    page.get_by_label("I accept the terms of sale").check()
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")  # on the test provider's own page
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    expect(page.get_by_role("heading", name=re.compile(r"Order RL-"))).to_be_visible()
    order = Order.objects.get()
    order_url = page.url
    part = page.locator(".seller-part")
    expect(part).to_contain_text("Paid")
    expect(part).to_contain_text("Not shipped yet")
    shot(page, "1-buyer-paid")

    # 2. The seller, in a second browser, accepts the order, then ships it with carrier, tracking and IMEI
    seller_context = browser.new_context(viewport={"width": 1280, "height": 900})
    seller = seller_context.new_page()
    sign_in(seller, live_server, "sam@example.com", "/seller/orders/")
    seller.goto(f"{live_server.url}/seller/orders/?queue=to_accept")
    seller.get_by_role("link", name=order.number).click()
    seller.get_by_role("button", name="Accept order").click()
    expect(seller.locator("tr[data-line]")).to_contain_text("Accepted by the seller")
    seller.get_by_label("Carrier").select_option("royal_mail")
    seller.get_by_label("Tracking number").fill("RM123456785GB")
    seller.get_by_label("IMEI of unit 1").fill(IMEIS[0])
    seller.get_by_role("button", name="Mark as shipped").click()
    expect(seller.get_by_text(f"Order {order.number} shipped.")).to_be_visible()
    expect(seller.get_by_test_id("shipment")).to_contain_text(IMEIS[0])
    shot(seller, "2-seller-shipped")

    # 3. The buyer sees the parcel shipped with its tracking, and says it arrived
    page.goto(order_url)
    expect(part).to_contain_text("Shipped")
    expect(part).to_contain_text("Royal Mail")
    expect(part.get_by_role("link", name=re.compile("RM123456785GB"))).to_be_visible()
    shot(page, "3-buyer-shipped")
    page.get_by_role("button", name="I received it").click()
    expect(part).to_contain_text("Delivered")
    expect(page.get_by_role("button", name="I received it")).to_have_count(0)
    shot(page, "4-buyer-delivered")

    # 4. The buyer opens a return on the delivered line
    page.get_by_role("link", name=re.compile(r"^Return it")).click()
    expect(page.get_by_role("heading", name="Return an item")).to_be_visible()
    page.get_by_label("I changed my mind").check()
    page.get_by_label("Describe the problem").fill("I found my old phone; this one is fine, I just do not need it.")
    page.get_by_role("button", name="Open the return").click()
    expect(page.get_by_text("Your case is open.")).to_be_visible()
    expect(page.locator(".case-facts")).to_contain_text("Waiting for the seller's answer")
    case = Case.objects.get()
    case_url = page.url
    shot(page, "5-buyer-return-opened")

    # 5. The seller accepts the return with instructions
    seller.goto(f"{live_server.url}/seller/returns/")
    seller.get_by_role("link", name=re.compile(rf"#{case.pk}\b")).first.click()
    seller.get_by_label(re.compile("^Accept")).check()
    seller.get_by_label("Return instructions, or why you refuse").fill("Send it to 4 Mill Lane, Leeds LS1 1AA.")
    seller.get_by_role("button", name="Send the answer").click()
    expect(seller.get_by_text("Answer sent to the buyer.")).to_be_visible()
    shot(seller, "6-seller-return-accepted")

    # 6. The buyer sees the instructions and marks the unit shipped back
    page.goto(case_url)
    expect(page.locator(".case-facts")).to_contain_text("Waiting for the buyer to send it back")
    expect(page.locator(".case-facts")).to_contain_text("4 Mill Lane")
    page.get_by_label("Carrier").select_option("royal_mail")
    page.get_by_label("Tracking number").fill("RM987654321GB")
    page.get_by_role("button", name="I have sent it").click()
    expect(page.locator(".case-facts")).to_contain_text("On its way back to the seller")
    expect(page.locator(".case-facts")).to_contain_text("Royal Mail RM987654321GB")  # the carrier's name, not its code
    shot(page, "7-buyer-shipped-back")

    # 7. The seller confirms receipt, then refunds in full
    seller.reload()
    seller.get_by_role("button", name="Confirm receipt").click()
    expect(seller.get_by_text(re.compile("^Receipt confirmed"))).to_be_visible()
    seller.get_by_label("Note to the buyer").fill("Refunded in full. Thank you.")
    seller.get_by_role("button", name="Refund", exact=True).click()
    expect(seller.get_by_text("Refunded. The buyer has been told.")).to_be_visible()
    shot(seller, "8-seller-refunded")
    seller_context.close()

    # 8. The buyer sees the refund on the case and on the order
    page.goto(case_url)
    facts = page.locator(".case-facts")
    expect(facts).to_contain_text("Refunded: £329.00")
    shot(page, "9-buyer-case-refunded")
    page.goto(order_url)
    expect(part).to_contain_text("Refunded")
    shot(page, "10-buyer-order-refunded")

    # Then the line went through every state once, the ledger balances and the card was refunded exactly once
    line = OrderLine.objects.get()
    assert line.state == "refunded"
    assert list(line.events.order_by("pk").values_list("to_state", flat=True)) == [
        "paid",
        "accepted",
        "shipped",
        "delivered",
        "return_requested",
        "returned",
        "refunded",
    ]
    assert failed(run_checks()) == []
    call_command("check_ledger")  # exits non-zero (SystemExit) when a check fails
    assert TestRefund.objects.count() == 1
    charge = TestCharge.objects.get()
    assert (charge.captured_amount, charge.refunded_amount) == (order.total, order.total)
