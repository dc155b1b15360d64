"""The public seller scorecard (issue 16, item 7): the 90-day rates with their denominators, equal to the quality
job's own figures, shown only past the minimum volume, in a constant number of queries."""

from __future__ import annotations

import re

import pytest

from reloop.aftersales.services import answer_case, open_return, open_warranty_claim
from reloop.catalog.tests.factories import VariantFactory
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import OrderLine
from reloop.quality import conf
from reloop.quality.models import QualitySnapshot
from reloop.quality.scorecards import public_scorecard
from reloop.quality.services import compute_quality_scores
from reloop.reviews.services import write_review
from reloop.reviews.tests.factories import bought_line, reviewed_line
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db
URL = "/en-gb/sellers/alpha/"
WHY = "The battery is at 71%, the listing said 85% or more."


@pytest.fixture
def offer():
    return make_offer(seller=SellerFactory(name="Alpha", slug="alpha"), variant=VariantFactory(), stock=500)


def buyer_of(line: OrderLine):
    return line.seller_order.order.buyer


def deliver(offer, units: int) -> list[OrderLine]:
    """Lines of ``offer`` delivered, 5 units at most each (the cart's limit), ``units`` in all."""
    return [bought_line(offer=offer, quantity=min(5, units - done)) for done in range(0, units, 5)]


def rate_cell(html: str, key: str) -> str:
    match = re.search(rf'data-testid="rate-{key}">(.*?)</div>', html, re.S)
    assert match, key
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def test_the_page_shows_each_rate_with_its_denominator_and_they_equal_the_quality_metrics(client, offer):
    # Given Alpha delivered 20 units in 4 lines of 5 plus 1 line of 1 (21 units); one return and one warranty claim
    # for "not as described", one warranty claim for a defect; the seller answered one of them; one 4-star review
    lines = [bought_line(offer=offer, quantity=5) for _ in range(4)] + [bought_line(offer=offer)]
    nad_return = open_return(actor=buyer_of(lines[0]), line_id=lines[0].pk, reason="not_as_described", description=WHY)
    open_warranty_claim(actor=buyer_of(lines[1]), line_id=lines[1].pk, reason="not_as_described", description=WHY)
    open_warranty_claim(actor=buyer_of(lines[2]), line_id=lines[2].pk, reason="defective", description=WHY)
    seller_user = SellerMemberFactory(seller=offer.seller).user
    answer_case(actor=seller_user, case_id=nad_return.pk, answer="accept", note="Send it back, we refund.")
    write_review(
        actor=buyer_of(lines[4]), line_id=lines[4].pk, product_rating=4, seller_rating=4, text="Fine, as listed."
    )

    # When the quality job has run and a buyer opens the seller page
    compute_quality_scores()
    html = client.get(URL).content.decode()

    # Then every figure is the snapshot's own, with its denominator
    snapshot = QualitySnapshot.objects.get(seller=offer.seller)
    metrics = snapshot.metrics
    assert (metrics.defect_rate.numerator, metrics.defect_rate.denominator) == (3, 21)
    assert (
        rate_cell(html, "defects") == "Defects (warranty claims and returns for a fault) 14.3% 3 of 21 delivered units"
    )
    assert rate_cell(html, "not_as_described") == (
        "Returned as not described (over-graded) 9.5% 2 of 21 delivered units"
    )
    cancel = metrics.cancellation_rate
    assert (cancel.numerator, cancel.denominator) == (0, 5)
    assert rate_cell(html, "cancellations") == "Cancelled by the seller 0% 0 of 5 sales"
    late = metrics.late_shipment_rate
    assert rate_cell(html, "late_shipments") == f"Shipped late 0% {late.numerator} of {late.denominator} shipments"
    assert (metrics.rating, metrics.rating_count) == (4, 1)
    assert rate_cell(html, "rating") == "Seller rating 4.00 / 5 from 1 review"
    assert f'data-testid="public-score">{snapshot.score}<' in html
    card = public_scorecard(seller=offer.seller, limits=conf.limits())
    assert card is not None
    assert card.rated
    assert (card.defects.numerator, card.defects.denominator) == (3, 21)
    assert card.answer_hours == metrics.answer_hours
    assert "Not enough sales yet" not in html


def test_below_the_minimum_volume_it_says_so_plainly_and_shows_no_rates(client, offer):
    # Given 19 delivered units, one claimed defective (a minimum volume of 20)
    line = deliver(offer, 19)[0]
    open_warranty_claim(actor=buyer_of(line), line_id=line.pk, reason="not_as_described", description=WHY)
    compute_quality_scores()

    html = client.get(URL).content.decode()

    assert "Not enough sales yet to rate this seller: fewer than 20 delivered units in the last 90 days." in html
    assert 'data-testid="rate-defects"' not in html
    assert 'data-testid="public-score"' not in html


def test_before_the_first_quality_run_it_is_not_rated(client, offer):
    deliver(offer, 30)
    html = client.get(URL).content.decode()
    assert 'data-testid="not-rated"' in html
    assert 'data-testid="public-score"' not in html


def test_the_scorecard_counts_only_this_sellers_cases(client, offer):
    other = make_offer(seller=SellerFactory(name="Beta", slug="beta"), variant=offer.variant, stock=100)
    line = deliver(other, 20)[0]
    open_return(actor=buyer_of(line), line_id=line.pk, reason="not_as_described", description=WHY)
    deliver(offer, 20)
    compute_quality_scores()
    html = client.get(URL).content.decode()
    assert rate_cell(html, "not_as_described").endswith("0% 0 of 20 delivered units")
    assert rate_cell(client.get("/en-gb/sellers/beta/").content.decode(), "not_as_described").endswith(
        "5% 1 of 20 delivered units"
    )


def test_constant_queries_whatever_the_volume_of_sales_cases_and_reviews(client, offer):
    first = deliver(offer, 20)
    open_return(actor=buyer_of(first[0]), line_id=first[0].pk, reason="not_as_described", description=WHY)
    reviewed_line(offer=offer, seller_rating=4)
    compute_quality_scores()
    n_one, _ = queries_for(client, URL)

    more = [bought_line(offer=offer, quantity=2) for _ in range(10)]
    for line in more:
        open_warranty_claim(actor=buyer_of(line), line_id=line.pk, reason="not_as_described", description=WHY)
    for _ in range(10):
        reviewed_line(offer=offer, seller_rating=5)
    QualitySnapshot.objects.all().delete()
    compute_quality_scores()
    n_ten, response = queries_for(client, URL)

    assert n_one == n_ten
    assert rate_cell(response.content.decode(), "not_as_described").endswith("11 of 51 delivered units")
