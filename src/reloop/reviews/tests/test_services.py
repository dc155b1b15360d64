"""Reviews: only the buyer of a delivered line reviews it, once; replies by the line's seller; moderation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from hypothesis import given
from hypothesis import strategies as st

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.models import Variant
from reloop.catalog.tests.factories import VariantFactory
from reloop.offers.tests.factories import make_offer
from reloop.orders.domain import LineState
from reloop.reviews import domain
from reloop.reviews.errors import (
    AlreadyReviewed,
    InvalidReview,
    LineNotFound,
    ModerationNotAllowed,
    NotReviewable,
    ReplyLocked,
    ReviewHidden,
    ReviewNotFound,
    SignInRequired,
)
from reloop.reviews.models import ProductRatingSummary, Review, SellerRatingSummary
from reloop.reviews.services import hide_review, reply_to_review, restore_review, write_review
from reloop.reviews.tests.factories import bought_line, reviewed_line
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db
TEXT = "Arrived quickly, battery as described."


@pytest.fixture
def offer():
    return make_offer(seller=SellerFactory(name="Alpha"), variant=VariantFactory(), stock=50)


def moderator(*, permission=True, staff=True):
    user = UserFactory(is_staff=staff)
    if permission:
        user.user_permissions.add(Permission.objects.get(codename="moderate_review"))
    return type(user).objects.get(pk=user.pk)  # fresh: no cached permissions


class TestWriteReview:
    @pytest.mark.parametrize("state", [LineState.DELIVERED, LineState.COMPLETED, LineState.RETURN_REQUESTED])
    def test_the_buyer_of_a_delivered_line_reviews_it(self, offer, state):
        line = bought_line(offer=offer, state=state)
        buyer = line.seller_order.order.buyer
        review = write_review(actor=buyer, line_id=line.pk, product_rating=4, seller_rating=5, text=f"  {TEXT}  ")
        assert (review.buyer, review.seller_id, review.product_model_id, review.text) == (
            buyer,
            offer.seller_id,
            offer.variant.product_model_id,
            TEXT,
        )
        assert (review.author_name, review.grade, review.is_hidden) == ("Ada L.", "good", False)

    @pytest.mark.parametrize("state", [LineState.PAID, LineState.ACCEPTED, LineState.SHIPPED, LineState.CANCELLED])
    def test_an_undelivered_line_is_refused_and_nothing_is_written(self, offer, state):
        line = bought_line(offer=offer, state=state)
        with pytest.raises(NotReviewable) as exc:
            write_review(
                actor=line.seller_order.order.buyer, line_id=line.pk, product_rating=5, seller_rating=5, text=TEXT
            )
        assert exc.value.code == "line_not_delivered"
        assert Review.objects.count() == 0
        assert ProductRatingSummary.objects.count() == SellerRatingSummary.objects.count() == 0

    def test_another_buyer_is_answered_as_if_the_line_did_not_exist(self, offer):
        line = bought_line(offer=offer)
        with pytest.raises(LineNotFound) as exc:
            write_review(actor=UserFactory(), line_id=line.pk, product_rating=5, seller_rating=5, text=TEXT)
        assert (exc.value.code, exc.value.http_status) == ("line_not_found", 404)
        assert Review.objects.count() == 0

    @pytest.mark.parametrize("actor", [None, AnonymousUser()])
    def test_anonymous_is_refused(self, offer, actor):
        line = bought_line(offer=offer)
        with pytest.raises(SignInRequired):
            write_review(actor=actor, line_id=line.pk, product_rating=5, seller_rating=5, text=TEXT)
        assert Review.objects.count() == 0

    def test_one_review_per_line(self, offer):
        review = reviewed_line(offer=offer, product_rating=2)
        with pytest.raises(AlreadyReviewed):
            write_review(actor=review.buyer, line_id=review.line_id, product_rating=5, seller_rating=5, text=TEXT)
        assert list(Review.objects.values_list("product_rating", flat=True)) == [2]

    @pytest.mark.parametrize(
        ("product", "seller", "text", "code"),
        [
            (0, 5, TEXT, "invalid_rating"),
            (5, 6, TEXT, "invalid_rating"),
            (True, 5, TEXT, "invalid_rating"),
            (5, 5, "short     ", "invalid_text"),
            (5, 5, "x" * 2001, "invalid_text"),
        ],
    )
    def test_bad_ratings_or_text_are_refused_with_a_code(self, offer, product, seller, text, code):
        line = bought_line(offer=offer)
        with pytest.raises(InvalidReview) as exc:
            write_review(
                actor=line.seller_order.order.buyer,
                line_id=line.pk,
                product_rating=product,
                seller_rating=seller,
                text=text,
            )
        assert exc.value.code == code
        assert Review.objects.count() == 0


class TestAverages:
    def test_summaries_follow_the_visible_reviews(self, offer):
        first = reviewed_line(offer=offer, product_rating=5, seller_rating=4)
        reviewed_line(offer=offer, product_rating=4, seller_rating=1)
        reviewed_line(offer=offer, product_rating=2, seller_rating=2)
        product = ProductRatingSummary.objects.get(product_model=offer.variant.product_model)
        seller = SellerRatingSummary.objects.get(seller=offer.seller)
        assert (product.review_count, product.rating_sum, product.average) == (3, 11, Decimal("3.7"))
        assert (seller.review_count, seller.rating_sum, seller.average) == (3, 7, Decimal("2.3"))

        hide_review(actor=moderator(), review_id=first.pk, reason="Contains a phone number")

        product.refresh_from_db()
        seller.refresh_from_db()
        assert (product.review_count, product.average) == (2, Decimal("3.0"))
        assert (seller.review_count, seller.average) == (2, Decimal("1.5"))

    def test_a_review_bumps_every_variant_page_of_the_model_on_commit(self, offer, django_capture_on_commit_callbacks):
        sibling = VariantFactory(product_model=offer.variant.product_model, colour="Blue", slug="128gb-blue")
        other = VariantFactory()
        line = bought_line(offer=offer)
        before = dict(Variant.objects.values_list("pk", "cache_version"))
        with django_capture_on_commit_callbacks(execute=True):
            write_review(
                actor=line.seller_order.order.buyer, line_id=line.pk, product_rating=5, seller_rating=5, text=TEXT
            )
        after = dict(Variant.objects.values_list("pk", "cache_version"))
        assert after[offer.variant_id] == before[offer.variant_id] + 1
        assert after[sibling.pk] == before[sibling.pk] + 1
        assert after[other.pk] == before[other.pk]


class TestReply:
    def test_the_seller_replies_and_may_correct_it_for_72_hours(self, offer, settings):
        review = reviewed_line(offer=offer)
        first = reply_to_review(actor=None, seller=offer.seller, review_id=review.pk, text="Thank you!")
        edited = reply_to_review(actor=None, seller=offer.seller, review_id=review.pk, text="Thank you, Ada!")
        assert edited.replied_at == first.replied_at
        Review.objects.filter(pk=review.pk).update(replied_at=first.replied_at - dt.timedelta(hours=73))
        with pytest.raises(ReplyLocked):
            reply_to_review(actor=None, seller=offer.seller, review_id=review.pk, text="Changed my mind")
        assert Review.objects.get(pk=review.pk).reply_text == "Thank you, Ada!"

    def test_seller_a_cannot_reply_to_seller_b_s_review(self, offer):
        review = reviewed_line(offer=offer)
        with pytest.raises(ReviewNotFound):
            reply_to_review(actor=None, seller=SellerFactory(), review_id=review.pk, text="Not ours")
        assert Review.objects.get(pk=review.pk).reply_text == ""

    def test_a_hidden_review_takes_no_reply(self, offer):
        review = reviewed_line(offer=offer)
        hide_review(actor=moderator(), review_id=review.pk, reason="Off topic")
        with pytest.raises(ReviewHidden):
            reply_to_review(actor=None, seller=offer.seller, review_id=review.pk, text="Hello")

    def test_an_empty_reply_is_refused(self, offer):
        review = reviewed_line(offer=offer)
        with pytest.raises(InvalidReview) as exc:
            reply_to_review(actor=None, seller=offer.seller, review_id=review.pk, text="   ")
        assert exc.value.code == "invalid_reply"
        assert Review.objects.get(pk=review.pk).replied_at is None


class TestModeration:
    @pytest.mark.parametrize("who", ["none", "buyer", "staff_without_permission", "permission_without_staff"])
    def test_hiding_needs_staff_with_the_permission(self, offer, who):
        review = reviewed_line(offer=offer)
        actor = {
            "none": None,
            "buyer": UserFactory(),
            "staff_without_permission": moderator(permission=False),
            "permission_without_staff": moderator(staff=False),
        }[who]
        with pytest.raises(ModerationNotAllowed):
            hide_review(actor=actor, review_id=review.pk, reason="Spam")
        assert Review.objects.get(pk=review.pk).hidden_at is None

    def test_hide_records_who_and_why_keeps_the_first_decision_and_restore_undoes_it(self, offer):
        review = reviewed_line(offer=offer)
        first, second = moderator(), moderator()
        hidden = hide_review(actor=first, review_id=review.pk, reason="  Personal data  ")
        again = hide_review(actor=second, review_id=review.pk, reason="Another reason")
        assert (again.hidden_by, again.hidden_reason, again.hidden_at) == (first, "Personal data", hidden.hidden_at)
        restored = restore_review(actor=second, review_id=review.pk)
        assert (restored.hidden_at, restored.hidden_reason, restored.hidden_by) == (None, "", None)
        assert SellerRatingSummary.objects.get(seller=offer.seller).review_count == 1

    def test_a_reason_is_required(self, offer):
        review = reviewed_line(offer=offer)
        with pytest.raises(InvalidReview) as exc:
            hide_review(actor=moderator(), review_id=review.pk, reason=" x ")
        assert exc.value.code == "invalid_reason"
        assert Review.objects.get(pk=review.pk).hidden_at is None


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=50))
def test_the_average_is_between_the_lowest_and_highest_rating(ratings):
    average = domain.average_rating(sum(ratings), len(ratings))
    assert average is not None
    assert Decimal(min(ratings)) <= average <= Decimal(max(ratings))
    assert abs(average - Decimal(sum(ratings)) / len(ratings)) <= Decimal("0.05")


def test_no_ratings_no_average():
    assert domain.average_rating(0, 0) is None
