"""Review pages: the buyer's form from the order page, the product page summary, the seller's reviews with
replies, and the operators' moderation — who may see and do what, and constant query counts."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, VariantFactory
from reloop.offers.tests.factories import make_offer
from reloop.orders.domain import LineState
from reloop.orders.models import OrderLine
from reloop.reviews.models import Review
from reloop.reviews.services import hide_review, write_review
from reloop.reviews.tests.factories import bought_line, move_line, place_paid_order, reviewed_line
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db
TEXT = "Arrived in two days, looks brand new."


def review_url(line: OrderLine) -> str:
    return f"/en-gb/orders/{line.seller_order.order.number}/lines/{line.pk}/review/"


def staff(*, permission):
    user = UserFactory(is_staff=True)
    if permission:
        user.user_permissions.add(Permission.objects.get(codename="moderate_review"))
    return user


@pytest.fixture
def offer():
    variant = VariantFactory(product_model=ProductModelFactory(category=CategoryFactory(slug="smartphones")))
    return make_offer(seller=SellerFactory(name="Alpha"), variant=variant, stock=100)


class TestBuyerReviewForm:
    def test_anonymous_is_sent_to_sign_in(self, client, offer):
        line = bought_line(offer=offer)
        response = client.get(review_url(line))
        assert response.status_code == 302
        assert "/account/sign-in/" in response["Location"]

    def test_another_buyer_gets_404_and_cannot_post(self, client, offer):
        line = bought_line(offer=offer)
        client.force_login(UserFactory())
        assert client.get(review_url(line)).status_code == 404
        data = {"product_rating": 5, "seller_rating": 5, "text": TEXT}
        assert client.post(review_url(line), data).status_code == 404
        assert Review.objects.count() == 0

    def test_the_buyer_of_an_undelivered_line_is_told_and_a_post_writes_nothing(self, client, offer):
        line = bought_line(offer=offer, state=LineState.SHIPPED)
        client.force_login(line.seller_order.order.buyer)
        page = client.get(review_url(line))
        assert "once it has been delivered" in page.content.decode()
        assert b'name="text"' not in page.content
        response = client.post(review_url(line), {"product_rating": 5, "seller_rating": 5, "text": TEXT})
        assert response.status_code == 200
        assert "once it has been delivered" in response.content.decode()
        assert Review.objects.count() == 0

    def test_the_buyer_reviews_a_delivered_line_once_from_the_order_page(self, client, offer):
        line = bought_line(offer=offer)
        order = line.seller_order.order
        client.force_login(order.buyer)
        order_page = client.get(f"/en-gb/orders/{order.number}/").content.decode()
        assert f'href="{review_url(line)}"' in order_page

        response = client.post(review_url(line), {"product_rating": "4", "seller_rating": "5", "text": TEXT})

        assert response.status_code == 302
        assert response["Location"] == f"/en-gb/orders/{order.number}/#line-{line.pk}"
        review = Review.objects.get()
        assert (review.line_id, review.product_rating, review.seller_rating, review.text) == (line.pk, 4, 5, TEXT)
        order_page = client.get(f"/en-gb/orders/{order.number}/").content.decode()
        assert "Your review:" in order_page
        assert review_url(line) not in order_page
        again = client.post(review_url(line), {"product_rating": "1", "seller_rating": "1", "text": TEXT})
        assert again.status_code == 200
        assert Review.objects.get().product_rating == 4

    @pytest.mark.parametrize(
        "data",
        [
            {"product_rating": "6", "seller_rating": "5", "text": TEXT},
            {"product_rating": "5", "seller_rating": "", "text": TEXT},
            {"product_rating": "5", "seller_rating": "5", "text": "short"},
        ],
    )
    def test_bad_input_is_a_form_error(self, client, offer, data):
        line = bought_line(offer=offer)
        client.force_login(line.seller_order.order.buyer)
        response = client.post(review_url(line), data)
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
        assert Review.objects.count() == 0

    def test_the_order_page_reads_reviews_in_one_query_for_any_number_of_lines(self, client):
        seller = SellerFactory()
        offers = [make_offer(seller=seller, variant=VariantFactory(), stock=5) for _ in range(10)]

        def order_with(n):
            buyer = UserFactory()
            order = place_paid_order(buyer=buyer, offers=offers[:n])
            for line in OrderLine.objects.filter(seller_order__order=order):
                move_line(line, LineState.DELIVERED)
            first = OrderLine.objects.filter(seller_order__order=order).first()
            write_review(actor=buyer, line_id=first.pk, product_rating=5, seller_rating=5, text=TEXT)
            return buyer, order

        buyer_one, one = order_with(1)
        buyer_ten, ten = order_with(10)
        client.force_login(buyer_one)
        n_one, _ = queries_for(client, f"/en-gb/orders/{one.number}/")
        client.force_login(buyer_ten)
        n_ten, response = queries_for(client, f"/en-gb/orders/{ten.number}/")
        assert n_one == n_ten
        assert response.content.decode().count("Review this purchase") == 9


class TestProductPage:
    def test_the_rating_shows_hidden_reviews_do_not_count_and_queries_stay_constant(
        self, client, offer, django_capture_on_commit_callbacks
    ):
        pm = offer.variant.product_model
        url = f"/en-gb/p/{pm.slug}/{offer.variant.slug}/"
        n_none, response = queries_for(client, url)
        assert "No reviews yet" in response.content.decode()

        with django_capture_on_commit_callbacks(execute=True):
            reviews = [reviewed_line(offer=offer, product_rating=r) for r in (5, 4, 3, 5, 5, 4, 2, 5, 5, 4)]
        html = client.get(url).content.decode()  # not cleared: the bumped version misses the cached body
        assert "<strong>4.2</strong> / 5 · 10 reviews" in html

        with django_capture_on_commit_callbacks(execute=True):
            hide_review(actor=staff(permission=True), review_id=reviews[6].pk, reason="Insults")
        html = client.get(url).content.decode()
        assert "<strong>4.4</strong> / 5 · 9 reviews" in html

        n_ten, _ = queries_for(client, url)
        assert n_ten == n_none  # the same queries with 0 or 10 reviews


class TestSellerReviews:
    URL = "/seller/reviews/"

    def test_anonymous_is_sent_to_sign_in_and_a_buyer_is_refused(self, client):
        assert client.get(self.URL).status_code == 302
        client.force_login(UserFactory())
        assert client.get(self.URL).status_code == 403

    def test_a_seller_sees_its_own_reviews_only_in_constant_queries(self, client, offer):
        member = SellerMemberFactory(seller=offer.seller)
        other = make_offer(seller=SellerFactory(name="Beta"), variant=VariantFactory(), stock=5)
        reviewed_line(offer=other, text="Beta's parcel was late by a week.")
        reviewed_line(offer=offer)
        client.force_login(member.user)
        n_one, response = queries_for(client, self.URL)
        html = response.content.decode()
        assert "Works like new" in html
        assert "parcel was late" not in html
        for _ in range(9):
            reviewed_line(offer=offer)
        n_ten, response = queries_for(client, self.URL)
        assert n_one == n_ten
        assert response.content.decode().count('class="review"') == 10

    def test_reply_to_an_own_review_and_seller_a_on_seller_b_s_review_is_404(self, client, offer):
        member = SellerMemberFactory(seller=offer.seller)
        mine = reviewed_line(offer=offer)
        theirs = reviewed_line(offer=make_offer(seller=SellerFactory(), variant=VariantFactory(), stock=5))
        client.force_login(member.user)

        response = client.post(f"/seller/reviews/{theirs.pk}/reply/", {f"r{theirs.pk}-text": "Not ours"})
        assert response.status_code == 404
        assert Review.objects.get(pk=theirs.pk).reply_text == ""

        response = client.post(f"/seller/reviews/{mine.pk}/reply/", {f"r{mine.pk}-text": "Thank you, Ada!"})
        assert response.status_code == 302
        assert Review.objects.get(pk=mine.pk).reply_text == "Thank you, Ada!"

    def test_an_empty_reply_changes_nothing(self, client, offer):
        member = SellerMemberFactory(seller=offer.seller)
        review = reviewed_line(offer=offer)
        client.force_login(member.user)
        response = client.post(f"/seller/reviews/{review.pk}/reply/", {f"r{review.pk}-text": " "}, follow=True)
        assert "Your reply was not saved" in response.content.decode()
        assert Review.objects.get(pk=review.pk).replied_at is None


class TestModeration:
    URL = "/operator/reviews/"

    def test_anonymous_is_sent_to_the_admin_login(self, client):
        response = client.get(self.URL)
        assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/operator/reviews/")

    @pytest.mark.parametrize("who", ["buyer", "staff_without_permission", "seller"])
    def test_without_staff_and_the_permission_it_is_403_and_hiding_does_nothing(self, client, offer, who):
        review = reviewed_line(offer=offer)
        user = {
            "buyer": lambda: UserFactory(),
            "staff_without_permission": lambda: staff(permission=False),
            "seller": lambda: SellerMemberFactory(seller=offer.seller).user,
        }[who]()
        client.force_login(user)
        assert client.get(self.URL).status_code == 403
        assert client.post(f"{self.URL}hide/", {"review": review.pk, "reason": "Spam"}).status_code == 403
        assert Review.objects.get(pk=review.pk).hidden_at is None

    def test_a_moderator_hides_with_a_reason_and_restores(self, client, offer):
        review = reviewed_line(offer=offer)
        moderator = staff(permission=True)
        client.force_login(moderator)
        assert client.post(f"{self.URL}hide/", {"review": review.pk, "reason": ""}).status_code == 302
        assert Review.objects.get(pk=review.pk).hidden_at is None  # no reason, nothing hidden

        response = client.post(f"{self.URL}hide/", {"review": review.pk, "reason": "Phone number in the text"})
        assert response.status_code == 302
        hidden = Review.objects.get(pk=review.pk)
        assert (hidden.hidden_reason, hidden.hidden_by) == ("Phone number in the text", moderator)
        assert "Phone number in the text" in client.get(f"{self.URL}?show=hidden").content.decode()

        assert client.post(f"{self.URL}restore/", {"review": review.pk}).status_code == 302
        assert Review.objects.get(pk=review.pk).hidden_at is None

    def test_an_unknown_review_is_404(self, client):
        client.force_login(staff(permission=True))
        assert client.post(f"{self.URL}hide/", {"review": 999, "reason": "Spam"}).status_code == 404

    def test_the_list_runs_the_same_queries_for_1_and_10_reviews(self, client, offer):
        client.force_login(staff(permission=True))
        reviewed_line(offer=offer)
        n_one, _ = queries_for(client, self.URL)
        for _ in range(9):
            reviewed_line(offer=offer)
        hide_review(actor=staff(permission=True), review_id=Review.objects.first().pk, reason="Off topic")
        n_ten, response = queries_for(client, self.URL)
        assert n_one == n_ten
        assert response.content.decode().count('class="review"') == 10
