"""Demo reviews: a few verified purchases from the demo refurbisher, bought, shipped and delivered through the real
services, then reviewed (and some replied to), and a first quality snapshot. Only ``reloop demo`` loads them;
idempotent: nothing happens once any review exists."""

from __future__ import annotations

from reloop.offers.models import Offer
from reloop.ops.demo_accounts import DEMO_SELLER_SLUG
from reloop.ops.demo_story import MARKET, buy, deliver, demo_buyer, seller_part, ship
from reloop.quality.services import compute_quality_scores
from reloop.reviews.models import Review
from reloop.reviews.services import reply_to_review, write_review
from reloop.sellers.models import Seller

#: IMEI series: TAC 35, units numbered from 0 (the demo payouts' units of the same TAC start at 5).
IMEI_TAC = "35"
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
        buyer = demo_buyer(f"reviewer{index}@reloop.test", first_name=first, last_name=last)
        order = buy(buyer=buyer, items=[(offer, 1)], key=f"demo-review-{index}")
        part = seller_part(order, seller)
        ship(part, tracking=f"RM{order.pk:09d}GB", tac=IMEI_TAC)
        deliver(order, part)
        line = part.lines.all()[0]
        review = write_review(actor=buyer, line_id=line.pk, product_rating=device, seller_rating=rating, text=text)
        if reply:
            reply_to_review(actor=None, seller=seller, review_id=review.pk, text=reply)
        written += 1
    compute_quality_scores()
    return written
