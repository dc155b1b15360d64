"""The steps every demo sale takes, shared by the demo loaders (``demo_orders``, ``demo_reviews``,
``demo_payouts``): a demo shopper, an order placed with the test card, a parcel shipped with generated valid
IMEIs, a delivery confirmed by the buyer. All through the real services; the callers move the clock
(``core.clock.frozen_at``) around the steps that need a past date.

IMEIs are unique per device, so each loader keeps its own series: ``demo_imei(tac=..., line_id=..., unit=...)``
is ``tac`` followed by ``line_id * 10 + unit`` on 12 digits and the Luhn check digit; loaders sharing a TAC keep
their ``unit`` ranges apart (``unit_offset``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from stdnum import luhn

from reloop.accounts.models import User
from reloop.checkout.services import Checkout, add_to_cart, ensure_cart
from reloop.checkout.test_provider_buyer import pay_with_test_card
from reloop.devices.domain import IDENTIFIED_BY_NOTHING
from reloop.devices.services import identification_for
from reloop.fulfillment.services import confirm_delivery, ship_seller_order
from reloop.offers.models import Offer
from reloop.orders.models import Order, OrderLine, SellerOrder
from reloop.passports.models import OfferUnit, UnitStatus
from reloop.sellers.models import Seller

MARKET = "en-gb"
DEMO_CARD = "4242424242424242"
#: Where the demo shoppers' parcels go (the demo buyer's orders have their own address).
ADDRESS = {"full_name": "Demo Buyer", "line1": "1 High Street", "postal_code": "SW1A 1AA", "city": "London"}


def demo_imei(*, tac: str, line_id: int, unit: int) -> str:
    """A valid IMEI (Luhn check digit) for unit ``unit`` of order line ``line_id`` in the ``tac`` series."""
    base = f"{tac}{line_id * 10 + unit:012d}"
    return base + luhn.calc_check_digit(base)


def demo_buyer(email: str, *, first_name: str = "", last_name: str = "") -> User:
    """The demo shopper ``email`` (made once, without a usable password: nobody signs in as them)."""
    user, created = User.objects.get_or_create(
        username=email, defaults={"email": email, "first_name": first_name, "last_name": last_name}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def buy(
    *,
    buyer: User,
    items: Sequence[tuple[Offer, int]],
    key: str,
    address: Mapping[str, str] = ADDRESS,
    market: str = MARKET,
) -> Order:
    """``buyer`` puts ``items`` (offer, quantity) in their cart in ``market`` and pays with the test card; ``key``
    is the checkout's idempotency key."""
    cart = ensure_cart(user=buyer, token=None, market=market)
    for offer, quantity in items:
        add_to_cart(cart=cart, offer_id=offer.pk, quantity=quantity)
    return pay_with_test_card(  # on the test provider's page, as a person would (the card never reaches Reloop)
        checkout=Checkout(buyer=buyer, cart=cart, shipping_address=address, shipping={}, idempotency_key=key),
        card=DEMO_CARD,
    )


def seller_part(order: Order, seller: Seller) -> SellerOrder:
    """The part of ``order`` sold by ``seller``, with its lines."""
    return SellerOrder.objects.select_related("seller").prefetch_related("lines").get(order=order, seller=seller)


def ship(part: SellerOrder, *, tracking: str, tac: str, unit_offset: int = 0) -> None:
    """The seller ships ``part`` by Royal Mail, as a careful seller would: the unit the buyer chose or a unit listed
    on the offer when it lists units (unit passports), nothing for a game (the platform numbers it), else one
    generated IMEI per unit (see ``demo_imei``)."""
    ship_seller_order(
        actor=None,
        seller=part.seller,
        seller_order_id=part.pk,
        carrier="royal_mail",
        tracking_number=tracking,
        units={
            line.pk: units_to_ship(
                line, [demo_imei(tac=tac, line_id=line.pk, unit=n + unit_offset) for n in range(line.quantity)]
            )
            for line in part.lines.select_related("variant__product_model__category__parent__parent")
        },
    )


def units_to_ship(line: OrderLine, generated: list[str]) -> list[str]:
    """What the demo seller types as the units of ``line``: ``generated`` unless the line's category has no unit
    identifier or its offer lists units, which are then shipped (the buyer's choice first)."""
    if identification_for(line.variant) == IDENTIFIED_BY_NOTHING:
        return []
    chosen = list(
        OfferUnit.objects.filter(offer_id=line.offer_id, status=UnitStatus.RESERVED, order_line_ref=line.pk)
        .order_by("pk")
        .values_list("identifier", flat=True)
    )
    available = list(
        OfferUnit.objects.filter(offer_id=line.offer_id, status=UnitStatus.AVAILABLE)
        .order_by("pk")
        .values_list("identifier", flat=True)[: max(line.quantity - len(chosen), 0)]
    )
    listed = chosen + available
    if not listed and not OfferUnit.objects.filter(offer_id=line.offer_id).exists():
        return generated  # the offer lists no units: any valid IMEI ships
    return listed + generated[len(listed) :]  # too few listed: the extra ones are refused, as they should be


def deliver(order: Order, part: SellerOrder) -> None:
    """The buyer of ``order`` confirms ``part`` arrived."""
    confirm_delivery(actor=order.buyer, order_number=order.number, seller_order_id=part.pk)
