"""Demo reviews: a few verified purchases from the demo refurbisher, bought, shipped and delivered through the real
services, then reviewed (and some replied to), and a first quality snapshot. Only ``reloop demo`` loads them;
idempotent: nothing happens once any review exists."""

from __future__ import annotations

from stdnum import luhn

from reloop.accounts.models import User
from reloop.checkout.services import Checkout, add_to_cart, ensure_cart, place_order
from reloop.fulfillment.services import confirm_delivery, ship_seller_order
from reloop.offers.models import Offer
from reloop.ops.demo_accounts import DEMO_SELLER_SLUG
from reloop.orders.models import SellerOrder
from reloop.quality.services import compute_quality_scores
from reloop.reviews.models import Review
from reloop.reviews.services import reply_to_review, write_review
from reloop.sellers.models import Seller

MARKET = "en-gb"
ADDRESS = {"full_name": "Demo Buyer", "line1": "1 High Street", "postal_code": "SW1A 1AA", "city": "London"}
DEMO_CARD = "4242424242424242"
#: (first name, last name, device rating, seller rating, text, seller reply)
REVIEWS = (
    (
        "Maya",
        "Okafor",
        5,
        5,
        "Looks brand new, battery at 94%. Arrived the next day in a sturdy box.",
        "Thank you, Maya!",
    ),
    ("Tom", "Berg", 4, 5, "A tiny mark on the back, exactly as the grade says. Works perfectly.", ""),
    ("Inès", "Laurent", 5, 4, "Great value. Delivery took three days, but the device is flawless.", ""),
    (
        "Jonas",
        "Weber",
        3,
        3,
        "Works, but the charger was missing from the box. Support answered fast.",
        "Sorry, Jonas: a charger is on its way.",
    ),
    ("Chloe", "Martin", 5, 5, "Second purchase from this seller, same excellent condition.", ""),
    ("Ravi", "Patel", 4, 4, "Good device, condition exactly as the listing said.", ""),
)


def _imei(n: int) -> str:
    base = f"35{n:012d}"
    return base + luhn.calc_check_digit(base)


def _buyer(index: int, first: str, last: str) -> User:
    user, created = User.objects.get_or_create(
        username=f"reviewer{index}@reloop.test",
        defaults={"email": f"reviewer{index}@reloop.test", "first_name": first, "last_name": last},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def load_demo_reviews() -> int:
    """Buy, ship, deliver and review one unit per demo review; returns how many reviews were written."""
    seller = Seller.objects.filter(slug=DEMO_SELLER_SLUG).first()
    if seller is None or Review.objects.exists():
        return 0
    offers = list(
        Offer.objects.filter(seller=seller, is_active=True, stock__gte=2, prices__market=MARKET)
        .select_related("variant")
        .order_by("pk")[: len(REVIEWS)]
    )
    written = 0
    for index, (offer, (first, last, device, rating, text, reply)) in enumerate(
        zip(offers, REVIEWS, strict=False), start=1
    ):
        buyer = _buyer(index, first, last)
        cart = ensure_cart(user=buyer, token=None, market=MARKET)
        add_to_cart(cart=cart, offer_id=offer.pk)
        order = place_order(
            checkout=Checkout(
                buyer=buyer,
                cart=cart,
                shipping_address=ADDRESS,
                shipping={},
                card_number=DEMO_CARD,
                idempotency_key=f"demo-review-{index}",
            )
        )
        part = SellerOrder.objects.prefetch_related("lines").get(order=order, seller=seller)
        ship_seller_order(
            actor=None,
            seller=seller,
            seller_order_id=part.pk,
            carrier="royal_mail",
            tracking_number=f"RM{order.pk:09d}GB",
            units={line.pk: [_imei(line.pk * 10 + n) for n in range(line.quantity)] for line in part.lines.all()},
        )
        confirm_delivery(actor=buyer, order_number=order.number, seller_order_id=part.pk)
        line = part.lines.all()[0]
        review = write_review(actor=buyer, line_id=line.pk, product_rating=device, seller_rating=rating, text=text)
        if reply:
            reply_to_review(actor=None, seller=seller, review_id=review.pk, text=reply)
        written += 1
    compute_quality_scores()
    return written
