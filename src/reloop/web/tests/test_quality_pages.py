"""Quality pages: the seller's scorecard and the public seller page — access, content, constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from reloop.accounts.tests.factories import UserFactory
from reloop.aftersales.services import open_warranty_claim
from reloop.catalog.tests.factories import VariantFactory
from reloop.core import clock
from reloop.offers.tests.factories import make_offer
from reloop.pricing.services import refresh_buy_boxes
from reloop.quality.services import compute_quality_scores
from reloop.reviews.services import hide_review
from reloop.reviews.tests.factories import bought_line, reviewed_line
from reloop.sellers.models import Standing
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer():
    return make_offer(seller=SellerFactory(name="Alpha", slug="alpha"), variant=VariantFactory(), stock=100)


def days_of_snapshots(n: int) -> None:
    today = clock.today()
    for back in range(n - 1, -1, -1):
        compute_quality_scores(day=today - dt.timedelta(days=back))


class TestScorecard:
    URL = "/seller/quality/"

    def test_anonymous_is_sent_to_sign_in_and_a_buyer_is_refused(self, client):
        assert client.get(self.URL).status_code == 302
        client.force_login(UserFactory())
        assert client.get(self.URL).status_code == 403

    def test_before_the_first_run_it_says_so(self, client, offer):
        client.force_login(SellerMemberFactory(seller=offer.seller).user)
        assert "No score yet" in client.get(self.URL).content.decode()

    def test_each_metric_against_its_threshold_with_the_warning_and_only_its_own_figures(self, client, offer):
        # Alpha: 20 units delivered, 2 claimed defective (10%: over 6%, under the 12% hard limit)
        lines = [bought_line(offer=offer, quantity=5) for _ in range(4)]
        for line in lines[:2]:
            open_warranty_claim(
                actor=line.seller_order.order.buyer, line_id=line.pk, reason="defective", description="Dead pixel."
            )
        beta = SellerFactory(name="Beta")
        compute_quality_scores()
        client.force_login(SellerMemberFactory(seller=offer.seller).user)
        n_one, response = queries_for(client, self.URL)
        html = response.content.decode()
        assert 'data-testid="quality-score">67<' in html  # 100 − 40 × 10/12 = 66.7 → 67
        assert '<strong>10%</strong><br><span class="muted small">2 / 20</span>' in html
        assert "Over the threshold" in html
        assert "Open: back under within 14 days" in html
        assert beta.name not in html

        days_of_snapshots(10)
        n_ten, response = queries_for(client, self.URL)
        assert n_one == n_ten
        assert response.content.decode().count('class="score-bar"') == 10


class TestSellerPage:
    def test_unknown_and_pending_sellers_are_404(self, client):
        SellerFactory(slug="pending-one", standing=Standing.PENDING)
        assert client.get("/en-gb/sellers/nobody/").status_code == 404
        assert client.get("/en-gb/sellers/pending-one/").status_code == 404

    def test_shows_trader_rating_quality_and_visible_reviews_in_constant_queries(self, client, offer):
        first = reviewed_line(offer=offer, seller_rating=4, text="Good seller, quick answers.")
        compute_quality_scores()
        n_one, response = queries_for(client, "/en-gb/sellers/alpha/")
        html = response.content.decode()
        assert "<h1>Alpha</h1>" in html
        assert "France" in html
        assert "Good seller, quick answers." in html
        assert "<strong>4.0</strong> / 5" in html
        assert "Not enough sales yet" in html  # 1 unit: under the minimum volume

        for _ in range(9):
            reviewed_line(offer=offer, seller_rating=5)
        moderator = UserFactory(is_staff=True)
        moderator.user_permissions.add(Permission.objects.get(codename="moderate_review"))
        hide_review(actor=moderator, review_id=first.pk, reason="Off topic")
        reviewed_line(offer=offer, seller_rating=5)
        n_ten, response = queries_for(client, "/en-gb/sellers/alpha/")
        html = response.content.decode()
        assert n_one == n_ten
        assert html.count('class="review"') == 10
        assert "Good seller, quick answers." not in html
        assert "<strong>5.0</strong> / 5" in html

    def test_ships_on_time_once_there_is_enough_volume(self, client, offer):
        for _ in range(4):
            bought_line(offer=offer, quantity=5)
        for _ in range(16):
            bought_line(offer=offer)
        compute_quality_scores()
        html = client.get("/en-gb/sellers/alpha/").content.decode()
        assert 'data-testid="rate-late_shipments"' in html  # the full scorecard: test_seller_scorecard.py
        assert "0 of 20 shipments" in html
        assert "0 of 36 delivered units" in html

    def test_the_product_page_links_the_buy_box_seller_to_its_page(self, client, offer):
        pm = offer.variant.product_model
        refresh_buy_boxes(variant_ids=[offer.variant_id])
        html = client.get(f"/en-gb/p/{pm.slug}/{offer.variant.slug}/").content.decode()
        assert '<a href="/en-gb/sellers/alpha/" data-testid="buy-box-seller">Alpha</a>' in html
