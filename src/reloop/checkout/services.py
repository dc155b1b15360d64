"""Cart and order placement.

Placement runs in three steps (DESIGN.md section 3, docs/adr/0010-checkout.md, docs/adr/0019-payment-flow.md):

1. **Reserve**: in one transaction, take each line's units with a conditional stock update (offers in primary-key
   order) and record the order awaiting payment, held until ``reserved_until``. Nothing is reserved if any line
   is short, or if the total is not the one the buyer was shown. The order carries the checkout attempt's
   idempotency key (unique).
2. **Pay**: outside any transaction or row lock, a payment of exactly the order's total is created at the
   provider (``settlement.open_payment``); the buyer confirms it on the provider's own page. Reloop never sees
   the card.
3. **Place**: when the provider's webhook, the buyer's return or the reconciliation job first reports the payment
   authorized, Reloop captures it and marks the order paid (once), with its line events and ledger transactions,
   and empties the cart (``settlement.settle_payment``). A declined card leaves the order held while the buyer
   tries another on the provider's page; an abandoned payment, or a hold that runs out, closes the order and
   gives the units back instead.

The same idempotency key again (double click, retried request, replayed form) finds the same order and resumes
it where it stopped: one order and one payment, never two.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reloop.accounts.models import User
from reloop.buyback import credit
from reloop.checkout.daily_cap import check_daily_caps
from reloop.checkout.domain import checkout_total, commission_rate, shipping_price
from reloop.checkout.errors import (
    CartLineNotFound,
    EmptyCart,
    NotAvailable,
    PaymentDeclined,
    PriceChanged,
    SoldOut,
    TotalChanged,
)
from reloop.checkout.failures import failure_message
from reloop.checkout.models import MAX_QUANTITY, Cart, CartLine
from reloop.checkout.selectors import CartItem, CartReview, checkout_drafts, find_cart, review_cart, with_sales_tax
from reloop.checkout.settlement import open_payment, pay_with_credit
from reloop.core import clock
from reloop.core.errors import InvalidInput
from reloop.core.money import Money
from reloop.impact.selectors import estimate_for_offer
from reloop.invoicing.services import issue_credit_notes
from reloop.markets.registry import get_market
from reloop.markets.tax import TaxUnavailable, charges_sales_tax
from reloop.offers.errors import InsufficientStock
from reloop.offers.models import Offer, OfferPrice
from reloop.offers.services import adjust_stock
from reloop.orders.domain import REFUNDING_STATES, LineState
from reloop.orders.errors import NotCancellable
from reloop.orders.models import ActorKind, Order, OrderLine, OrderStatus, SellerOrder, ShippingMethod
from reloop.orders.selectors import seller_order_for
from reloop.orders.services import (
    LineSpec,
    SellerPart,
    open_order,
    transition_line,
)
from reloop.passports.errors import UnitUnavailable
from reloop.passports.services import check_choosable, release_units, reserve_units
from reloop.payments import services as ledger
from reloop.payments.domain import commission
from reloop.payments.providers import get_provider
from reloop.pricing.eligibility import offer_is_eligible
from reloop.sellers.models import Seller

RESERVATION_MINUTES = 15


# --- Cart -----------------------------------------------------------------------------------------------


def ensure_cart(*, user: User | None, token: str | None, market: str) -> Cart:
    """The cart to add to: the user's (one per market), the session's anonymous one, or a new one."""
    cart = find_cart(user=user, token=token, market=market)
    if cart is not None:
        return cart
    if user is not None and user.is_authenticated:
        return Cart.objects.get_or_create(user=user, market=market)[0]
    return Cart.objects.create(market=market)


@transaction.atomic
def add_to_cart(*, cart: Cart, offer_id: int, quantity: int = 1, unit_id: int | None = None) -> CartLine:
    """Put units of an offer in the cart at today's price; adding again raises the quantity (at most 5, and stock).

    With ``unit_id``, the buyer chose one of the units the offer lists (docs/unit-passports.md): the line holds
    that unit, quantity 1 (choosing another unit of the same offer replaces the choice). The unit is reserved at
    checkout, with the stock."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(_("Quantity must be between 1 and %(max)s") % {"max": MAX_QUANTITY}, code="invalid_quantity")
    offer = Offer.objects.select_related("seller").filter(pk=offer_id).first()
    price = OfferPrice.objects.filter(offer_id=offer_id, market=cart.market).first()
    if offer is None or price is None or not offer_is_eligible(offer):
        raise NotAvailable(_("This offer is not available in this market any more"))
    line = CartLine.objects.filter(cart=cart, offer=offer).first()
    if unit_id is not None:
        if quantity != 1:
            raise InvalidInput(_("A unit you choose is one unit: quantity 1"), code="invalid_quantity")
        unit = check_choosable(offer_id=offer.pk, unit_id=unit_id)
        if line is None:
            line = CartLine.objects.create(
                cart=cart, offer=offer, quantity=1, unit=unit, price_seen=price.amount, currency=price.currency
            )
        else:
            CartLine.objects.filter(pk=line.pk).update(
                quantity=1, unit=unit, price_seen=price.amount, currency=price.currency
            )
            line.quantity, line.unit, line.price_seen = 1, unit, price.amount
        Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
        return line
    if line is not None and line.unit_id is not None:
        raise InvalidInput(
            _("You chose a specific unit of this offer: remove it from your cart to buy any units instead"),
            code="unit_chosen",
        )
    wanted = min(MAX_QUANTITY, quantity + (line.quantity if line else 0))
    if wanted > offer.stock:
        raise NotAvailable(_("Only %(stock)s left from this seller") % {"stock": offer.stock}, code="not_enough_stock")
    if line is None:
        line = CartLine.objects.create(
            cart=cart, offer=offer, quantity=wanted, price_seen=price.amount, currency=price.currency
        )
    else:
        CartLine.objects.filter(pk=line.pk).update(quantity=wanted, price_seen=price.amount, currency=price.currency)
        line.quantity, line.price_seen = wanted, price.amount
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
    return line


@transaction.atomic
def set_quantity(*, cart: Cart, line_id: int, quantity: int) -> None:
    """Change a line's quantity; 0 removes it."""
    line = CartLine.objects.filter(cart=cart, pk=line_id).first()
    if line is None:
        raise CartLineNotFound(_("This item is not in your cart"))
    if quantity == 0:
        line.delete()
        return
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(_("Quantity must be between 1 and %(max)s") % {"max": MAX_QUANTITY}, code="invalid_quantity")
    if line.unit_id is not None and quantity != 1:
        raise InvalidInput(_("You chose a specific unit: its quantity is 1"), code="unit_chosen")
    CartLine.objects.filter(pk=line.pk).update(quantity=quantity)


@transaction.atomic
def merge_carts(*, source: Cart, target: Cart) -> Cart:
    """At login: move the anonymous cart's lines into the user's cart (quantities added, at most 5)."""
    if source.pk == target.pk:
        return target
    existing = {line.offer_id: line for line in target.lines.all()}
    for line in source.lines.all():
        if line.offer_id in existing:
            kept = existing[line.offer_id]
            if line.unit_id is not None or kept.unit_id is not None:  # a chosen unit: the latest choice wins
                CartLine.objects.filter(pk=kept.pk).update(quantity=1, unit_id=line.unit_id or kept.unit_id)
                continue
            CartLine.objects.filter(pk=kept.pk).update(quantity=min(MAX_QUANTITY, kept.quantity + line.quantity))
        else:
            CartLine.objects.create(
                cart=target,
                offer_id=line.offer_id,
                unit_id=line.unit_id,
                quantity=line.quantity,
                price_seen=line.price_seen,
                currency=line.currency,
            )
    source.delete()
    return target


def claim_cart(*, user: User, token: str | None, market: str) -> Cart | None:
    """Give the session's anonymous cart to ``user``: merged into theirs, or becoming theirs."""
    anonymous = find_cart(user=None, token=token, market=market)
    if anonymous is None:
        return None
    mine = Cart.objects.filter(user=user, market=market).first()
    if mine is None:
        Cart.objects.filter(pk=anonymous.pk).update(user=user)
        anonymous.user = user
        return anonymous
    return merge_carts(source=anonymous, target=mine)


@transaction.atomic
def confirm_prices(*, cart: Cart) -> None:
    """The buyer saw the new prices: remember them as seen."""
    for item in review_cart(cart=cart, currency=get_market(cart.market).currency).items:
        if item.price is not None:
            CartLine.objects.filter(pk=item.line.pk).update(price_seen=item.price.amount)


# --- Placement ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkout:
    """What the buyer submits at checkout: no card data, ever (they give it to the provider, on its own page)."""

    buyer: User
    cart: Cart
    shipping_address: Mapping[str, str]
    shipping: Mapping[int, str]  # seller id -> shipping method
    idempotency_key: str
    return_url: str = ""  # where the provider sends the buyer back (``?payment=<reference>`` is appended)
    expected_total: int | None = None  # the grand total the buyer was shown, in minor units; checked when given
    instalments: int = 1  # 1: pay at once; 3 or 4: the provider's "pay in n" plan
    use_credit: bool = False  # pay the whole order with the buyer's Reloop credit (trade-ins), no provider
    # The review of ``cart`` the caller has just built (the checkout page builds one to show the total): placement
    # uses it rather than reading the cart and its prices again. Stock is checked by the reservation's conditional
    # update either way, and a review of another cart or market is ignored.
    review: CartReview | None = None


@dataclass(frozen=True)
class CheckoutStart:
    """A started checkout: the order (paid already when the same attempt was paid before) and where the buyer
    confirms the payment with the provider (empty once there is nothing left to confirm)."""

    order: Order
    redirect_url: str


def start_checkout(*, checkout: Checkout) -> CheckoutStart:
    """Reserve the units and create the payment at the provider for exactly the total shown. Raises
    ``SoldOut``, ``PriceChanged``, ``TotalChanged``, ``PaymentDeclined``…

    The same idempotency key again (a double click, a re-sent form) finds the same order: paid, it is returned;
    awaiting payment, the buyer is sent back to the same payment; never a second order or a second payment.
    """
    if not checkout.idempotency_key or len(checkout.idempotency_key) > 100:
        raise InvalidInput(_("This checkout form has expired; please reload the page"), code="invalid_idempotency_key")
    order = Order.objects.filter(idempotency_key=checkout.idempotency_key).first()
    if order is None:
        order = _reserve(checkout)
    if order.buyer_id != checkout.buyer.pk:
        raise InvalidInput(_("This checkout form has expired; please reload the page"), code="invalid_idempotency_key")
    if order.status == OrderStatus.PAID:
        return CheckoutStart(order, "")
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise PaymentDeclined(failure_message(order.failure_reason))  # a code, told in the buyer's language
    if checkout.use_credit:
        if not pay_with_credit(order):
            raise PaymentDeclined(_("This checkout did not go through"))
        order.refresh_from_db()
        return CheckoutStart(order, "")
    record = open_payment(order=order, return_url=checkout.return_url, instalments=checkout.instalments)
    return CheckoutStart(order, record.redirect_url)


def resume_checkout(*, buyer: User, idempotency_key: str) -> Order | None:
    """The buyer's order of a checkout attempt already submitted, if any (a re-sent form finds its order)."""
    if not idempotency_key or len(idempotency_key) > 100:
        return None
    return Order.objects.filter(idempotency_key=idempotency_key, buyer=buyer).first()


def _reserve(checkout: Checkout) -> Order:
    cart = checkout.cart
    market = get_market(cart.market)
    review = checkout.review
    if review is None or review.cart is None or review.cart.pk != cart.pk or review.currency != market.currency:
        review = review_cart(cart=cart, currency=market.currency)
    if not review.items:
        raise EmptyCart(_("Your cart is empty"))
    check_daily_caps(review)  # before eligibility: a capped new seller's offers are refused with their own code
    missing = [i for i in review.items if i.price is None or not offer_is_eligible(i.offer)]
    if missing:
        raise SoldOut(
            _("%(product)s is no longer available") % {"product": missing[0].offer.variant.product_model.title}
        )
    if any(i.price_changed for i in review.items):
        confirm_prices(cart=cart)
        raise PriceChanged(_("Some prices changed since you added them; please check your cart"))
    drafts, tax = with_sales_tax(
        drafts=checkout_drafts(review=review, shipping=checkout.shipping, currency=market.currency),
        market=market.code,
        address=checkout.shipping_address,
    )
    if charges_sales_tax(market) and tax is None:
        raise TaxUnavailable(_("Give the state of the delivery address: sales tax depends on it"))
    total = checkout_total(currency=market.currency, parts=drafts)
    sales_tax = {line.key: line.tax for part in drafts for line in part.lines}
    shipping_tax = {part.seller_id: part.shipping_tax for part in drafts}  # where the state taxes shipping
    if checkout.expected_total is not None and checkout.expected_total != total.grand_total.amount:
        raise TotalChanged(
            _("The total is now %(total)s; please check it and pay again")
            % {"total": total.grand_total.format(market.locale)}
        )
    parts = []
    for part in review.parts:
        method = checkout.shipping.get(part.seller.pk, ShippingMethod.STANDARD)
        shipping = shipping_price(method, market.currency)
        if shipping is None:
            raise InvalidInput(_("Unknown shipping method %(method)s") % {"method": method}, code="invalid_shipping")
        lines = []
        for item in part.items:
            product_model = item.offer.variant.product_model
            impact = estimate_for_offer(item.offer, market.code)  # this offer's parts and route (ADR 0042)
            assert item.price is not None  # checked above  # noqa: S101
            # Commission: 10% of the line total incl. VAT (or the category's rate), frozen with the line.
            fee = commission(item.price * item.line.quantity, commission_rate(product_model.category.commission_rate))
            key = str(item.offer.pk)
            line_tax = tax.for_key(key) if tax else None  # US sales tax, collected by the platform
            rate = line_tax.rate if line_tax else None
            lines.append(
                LineSpec(
                    item.offer,
                    item.line.quantity,
                    item.price,
                    impact.point if impact else None,
                    fee,
                    sales_tax.get(key),
                    rate,
                    avoided_kgco2e_low=impact.low if impact else None,
                    avoided_kgco2e_high=impact.high if impact else None,
                )
            )
        shipping_fee = commission(shipping, commission_rate(None))
        parts.append(SellerPart(part.seller, method, shipping, lines, shipping_fee, shipping_tax.get(part.seller.pk)))
    try:
        with transaction.atomic():
            check_daily_caps(review, lock=True)  # again, locked: a concurrent checkout may have taken the last unit
            # Take stock in offer-id order so concurrent checkouts of the same offers never deadlock.
            for item in sorted(review.items, key=lambda i: i.offer.pk):
                try:
                    adjust_stock(offer_id=item.offer.pk, delta=-item.line.quantity)
                except InsufficientStock:
                    raise SoldOut(
                        _("Sold out: %(product)s has no %(quantity)s unit(s) left from %(seller)s")
                        % {
                            "product": item.offer.variant.product_model.title,
                            "quantity": item.line.quantity,
                            "seller": item.offer.seller.name,
                        }
                    ) from None
            order = open_order(
                buyer=checkout.buyer,
                market=market.code,
                currency=market.currency,
                idempotency_key=checkout.idempotency_key,
                reserved_until=clock.now() + timedelta(minutes=RESERVATION_MINUTES),
                shipping_address=dict(checkout.shipping_address),
                parts=parts,
                tax_jurisdiction=tax.jurisdiction if tax else "",
                tax_source=tax.source if tax else "",
            )
            if order.total != total.grand_total.amount:  # the amount asked of the provider is the total shown
                raise TotalChanged(_("The total could not be confirmed; please check it and pay again"))
            _reserve_chosen_units(order, review.items)
            return order
    except IntegrityError:
        # The same checkout attempt reserved concurrently (double click): use that one; ours rolled back.
        existing = Order.objects.filter(idempotency_key=checkout.idempotency_key).first()
        if existing is None:
            raise
        return existing


def _reserve_chosen_units(order: Order, items: list[CartItem]) -> None:
    """The units the buyer chose are reserved for their order lines, in the reservation's transaction: a unit
    taken meanwhile refuses the whole checkout (``SoldOut``, code ``unit_taken``) and nothing stays reserved."""
    chosen = {i.offer.pk: i.line.unit_id for i in items if i.line.unit_id is not None}
    if not chosen:
        return
    lines = OrderLine.objects.filter(seller_order__order=order, offer_id__in=list(chosen)).values_list("pk", "offer_id")
    try:
        reserve_units(
            choices={line_id: (chosen[offer_id], offer_id) for line_id, offer_id in lines},
            variant_ids={i.offer.variant_id for i in items if i.line.unit_id is not None},
        )
    except UnitUnavailable as exc:
        raise SoldOut(exc.message, code="unit_taken") from None


# --- Cancellation ---------------------------------------------------------------------------------------


def cancel_line(*, line_id: int, actor: User | None, actor_kind: str, reason: str) -> OrderLine:
    """Cancel a line before it ships: its units go back to stock and the buyer is refunded through the provider,
    with the seller's share and the commission reversed in the ledger. When it was the seller part's last live
    line, its shipping is refunded too. Safe to retry: every step is keyed on the line.
    """
    with transaction.atomic():
        line = transition_line(
            line_id=line_id, to_state=LineState.CANCELLED, actor=actor, actor_kind=actor_kind, reason=reason
        )
        adjust_stock(offer_id=line.offer_id, delta=line.quantity)
        release_units(order_line_ids=[line.pk])  # a unit the buyer chose goes back on sale
        # Decided in the cancelling transaction, the seller order locked (PostgreSQL; SQLite writers are
        # serialized): of two lines cancelled at once, exactly one sees no other live line and carries the shipping.
        part = SellerOrder.objects.select_for_update(of=("self",)).select_related("order").get(pk=line.seller_order_id)
        order = part.order
        live = OrderLine.objects.filter(seller_order=part).exclude(state__in=REFUNDING_STATES).exists()
        sales_tax = Money(line.tax_amount, order.currency)  # US: collected by the platform, given back with the line
        gross = Money(line.line_total, order.currency)
        fee = Money(line.commission, order.currency)
        if not live:  # the whole part is cancelled: shipping goes back as well, with its commission and its tax
            lines_fee = sum(OrderLine.objects.filter(seller_order=part).values_list("commission", flat=True))
            gross += Money(part.shipping_amount, order.currency)
            fee += Money(part.commission - lines_fee, order.currency)
            sales_tax += Money(part.shipping_tax_amount, order.currency)
    paid_with_credit = credit.is_credit_payment(order.payment_reference)
    if not paid_with_credit:
        get_provider().refund(
            reference=order.payment_reference, amount=gross + sales_tax, idempotency_key=f"line:{line.pk}:cancel"
        )
    reference = f"order:{order.number}"
    ledger.record_cancellation(
        key=f"{reference}:line:{line.pk}:cancel",
        reference=reference,
        seller_id=part.seller_id,
        gross=gross,
        commission=fee,
        line_id=line.pk,  # the seller's share comes from wherever the line's money is (docs/adr/0017-payouts.md)
    )
    if sales_tax.amount:
        ledger.record_sales_tax_refund(
            key=f"{reference}:line:{line.pk}:cancel:sales-tax", reference=reference, amount=sales_tax
        )
    if paid_with_credit:  # back to the buyer's Reloop credit, not to a card
        credit.refund_to_credit(
            user_id=order.buyer_id,
            amount=gross + sales_tax,
            key=f"{reference}:line:{line.pk}:cancel:to-credit",
            reference=reference,
        )
    issue_credit_notes(line_id=line.pk)  # the ledger's refund row exists now (its handler ran before it)
    return line


def cancel_seller_order(
    *, actor: User | None, seller: Seller, seller_order_id: int, reason: str, actor_kind: str = ActorKind.SELLER
) -> SellerOrder:
    """Cancel every line of one of ``seller``'s orders that has not shipped, each through ``cancel_line`` (stock
    back, refund, ledger). A reason (1–300 characters) is required; it is recorded on each line's event and counts
    against the seller. Idempotent: cancelled lines are left alone, so a retry finishes what a failure left half
    done. Refused with ``not_cancellable`` when nothing can be cancelled but not everything is cancelled (shipped);
    another seller's order is not found.
    """
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= 300:
        raise InvalidInput(_("Give a reason of at most 300 characters"), code="invalid_reason")
    part = seller_order_for(seller=seller, seller_order_id=seller_order_id)
    lines = list(part.lines.all())
    open_lines = [line for line in lines if line.state in (LineState.PAID, LineState.ACCEPTED)]
    if not open_lines and any(line.state != LineState.CANCELLED for line in lines):
        raise NotCancellable(_("This order has shipped and can no longer be cancelled"))
    for line in open_lines:
        cancel_line(line_id=line.pk, actor=actor, actor_kind=actor_kind, reason=reason)
    return seller_order_for(seller=seller, seller_order_id=seller_order_id)
