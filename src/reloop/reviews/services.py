"""Review writes: a buyer reviews a delivered line, the seller replies, the operator hides or restores.

Each service validates everything before it writes, owns its transaction, and recomputes the two rating summaries
the review counts in (one aggregate per write, never per page view). The product pages of the model are cached
under their variants' versions, so those are bumped on commit: the new average shows on the next view.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from reloop.accounts.models import User
from reloop.catalog.models import Variant
from reloop.catalog.services import touch_variants
from reloop.core import clock
from reloop.orders.models import OrderLine
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
from reloop.sellers.models import Seller

MODERATE_PERMISSION = "reviews.moderate_review"


def _check_ratings(product_rating: object, seller_rating: object) -> None:
    if domain.rating_problem(product_rating) or domain.rating_problem(seller_rating):
        raise InvalidReview(_("Give a rating from 1 to 5 stars."), code="invalid_rating")


@transaction.atomic(durable=True)
def write_review(*, actor: User | None, line_id: int, product_rating: int, seller_rating: int, text: str) -> Review:
    """The buyer of ``line_id`` reviews it, once, after delivery.

    Refused with ``sign_in_required`` (no actor), ``line_not_found`` (no such line, or another buyer's: answered
    alike), ``line_not_delivered``, ``already_reviewed``, ``invalid_rating`` or ``invalid_text``; nothing is written
    then. The one-review-per-line rule is also the database's (a unique line), so two concurrent submissions give
    one review and one ``already_reviewed``.
    """
    if actor is None or not actor.is_authenticated:
        raise SignInRequired(_("Sign in to review a purchase."))
    line = (
        OrderLine.objects.select_related("seller_order__order", "variant")
        .filter(pk=line_id, seller_order__order__buyer=actor)
        .first()
    )
    if line is None:
        raise LineNotFound(f"No order line {line_id}")
    if not domain.is_reviewable(line.state):
        raise NotReviewable(_("You can review this purchase once it has been delivered."))
    if Review.objects.filter(line_id=line.pk).exists():
        raise AlreadyReviewed(_("You have already reviewed this purchase."))
    _check_ratings(product_rating, seller_rating)
    cleaned = domain.clean_text(text, minimum=domain.MIN_TEXT, maximum=domain.MAX_TEXT)
    if cleaned is None:
        raise InvalidReview(
            _("A review is %(min)s to %(max)s characters long.") % {"min": domain.MIN_TEXT, "max": domain.MAX_TEXT},
            code="invalid_text",
        )
    seller_id = line.seller_order.seller_id
    product_model_id = line.variant.product_model_id
    try:
        with transaction.atomic():
            review = Review.objects.create(
                line=line,
                buyer=actor,
                seller_id=seller_id,
                product_model_id=product_model_id,
                variant_id=line.variant_id,
                author_name=domain.author_name(actor.first_name, actor.last_name),
                variant_label=line.variant_label,
                grade=line.grade,
                product_rating=product_rating,
                seller_rating=seller_rating,
                text=cleaned,
                created_at=clock.now(),
            )
    except IntegrityError as exc:  # a concurrent submission of the same line won
        raise AlreadyReviewed(_("You have already reviewed this purchase.")) from exc
    _refresh_summaries(product_model_id=product_model_id, seller_id=seller_id)
    return review


@transaction.atomic(durable=True)
def reply_to_review(*, actor: User | None, seller: Seller, review_id: int, text: str) -> Review:
    """``seller`` answers one of its reviews, publicly. Another seller's review is ``review_not_found``; a hidden
    review takes no reply (``review_hidden``); a reply can be corrected for ``REPLY_EDIT_WINDOW`` after it was
    first posted, then it is final (``reply_locked``)."""
    review = Review.objects.filter(pk=review_id, seller=seller).first()
    if review is None:
        raise ReviewNotFound(f"No review {review_id}")
    if review.is_hidden:
        raise ReviewHidden(_("This review was hidden by the moderators; it takes no reply."))
    now = clock.now()
    if not domain.reply_editable(replied_at=review.replied_at, now=now):
        raise ReplyLocked(_("A reply can be changed only in the 72 hours after it was posted."))
    cleaned = domain.clean_text(text, minimum=1, maximum=domain.MAX_REPLY)
    if cleaned is None:
        raise InvalidReview(
            _("A reply is 1 to %(max)s characters long.") % {"max": domain.MAX_REPLY}, code="invalid_reply"
        )
    if review.replied_at is None:
        # Conditional: of two concurrent first replies, the second becomes an edit (checked again below).
        first = Review.objects.filter(pk=review.pk, replied_at__isnull=True).update(
            reply_text=cleaned, replied_at=now, reply_updated_at=now
        )
        if first:
            review.reply_text, review.replied_at, review.reply_updated_at = cleaned, now, now
            return review
        review.refresh_from_db(fields=["replied_at"])
    edited = Review.objects.filter(
        pk=review.pk, replied_at__gt=now - domain.REPLY_EDIT_WINDOW, hidden_at__isnull=True
    ).update(reply_text=cleaned, reply_updated_at=now)
    if not edited:
        raise ReplyLocked(_("A reply can be changed only in the 72 hours after it was posted."))
    review.reply_text, review.reply_updated_at = cleaned, now
    return review


def _check_moderator(actor: User | None) -> None:
    if actor is None or not (actor.is_active and actor.is_staff and actor.has_perm(MODERATE_PERMISSION)):
        raise ModerationNotAllowed(_("Only moderators can hide or restore reviews."))


@transaction.atomic(durable=True)
def hide_review(*, actor: User | None, review_id: int, reason: str) -> Review:
    """Take a review off every public page, with the reason and the moderator recorded. Idempotent: hiding a
    hidden review keeps the first decision. Averages drop it (summaries recomputed, product pages bumped)."""
    _check_moderator(actor)
    review = Review.objects.filter(pk=review_id).first()
    if review is None:
        raise ReviewNotFound(f"No review {review_id}")
    cleaned = domain.clean_text(reason, minimum=domain.MIN_HIDE_REASON, maximum=domain.MAX_HIDE_REASON)
    if cleaned is None:
        raise InvalidReview(
            _("Say why in %(min)s to %(max)s characters.")
            % {"min": domain.MIN_HIDE_REASON, "max": domain.MAX_HIDE_REASON},
            code="invalid_reason",
        )
    now = clock.now()
    if Review.objects.filter(pk=review.pk, hidden_at__isnull=True).update(
        hidden_at=now, hidden_reason=cleaned, hidden_by=actor
    ):
        _refresh_summaries(product_model_id=review.product_model_id, seller_id=review.seller_id)
    review.refresh_from_db(fields=["hidden_at", "hidden_reason", "hidden_by"])
    return review


@transaction.atomic(durable=True)
def restore_review(*, actor: User | None, review_id: int) -> Review:
    """Show a hidden review again (a moderation mistake); idempotent."""
    _check_moderator(actor)
    review = Review.objects.filter(pk=review_id).first()
    if review is None:
        raise ReviewNotFound(f"No review {review_id}")
    if Review.objects.filter(pk=review.pk, hidden_at__isnull=False).update(
        hidden_at=None, hidden_reason="", hidden_by=None
    ):
        _refresh_summaries(product_model_id=review.product_model_id, seller_id=review.seller_id)
    review.refresh_from_db(fields=["hidden_at", "hidden_reason", "hidden_by"])
    return review


def _refresh_summaries(*, product_model_id: int, seller_id: int) -> None:
    """Recompute the two summaries a review counts in from the visible reviews (self-healing: no increments that
    could drift), and bump the model's product pages after commit."""
    visible = Review.objects.filter(hidden_at__isnull=True)
    product = visible.filter(product_model_id=product_model_id).aggregate(n=Count("pk"), total=Sum("product_rating"))
    ProductRatingSummary.objects.update_or_create(
        product_model_id=product_model_id,
        defaults={"review_count": product["n"], "rating_sum": product["total"] or 0},
    )
    by_seller = visible.filter(seller_id=seller_id).aggregate(n=Count("pk"), total=Sum("seller_rating"))
    SellerRatingSummary.objects.update_or_create(
        seller_id=seller_id, defaults={"review_count": by_seller["n"], "rating_sum": by_seller["total"] or 0}
    )
    variant_ids = list(Variant.objects.filter(product_model_id=product_model_id).values_list("pk", flat=True))
    transaction.on_commit(lambda: touch_variants(variant_ids=variant_ids))
