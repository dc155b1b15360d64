"""Carts: anonymous (a token kept in the session) or a user's, one per market; lines remember the price seen. An
order's payment at the provider, and the payment problems reconciliation hands to the operator."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reloop.markets.data import MARKET_CODES
from reloop.offers.models import Offer
from reloop.orders.models import Order
from reloop.passports.models import OfferUnit

MAX_QUANTITY = 5


class Cart(models.Model):
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="carts"
    )
    market = models.CharField(max_length=5, choices=[(c, c) for c in MARKET_CODES])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "market"], condition=Q(user__isnull=False), name="cart_one_per_user_market"
            ),
        ]

    def __str__(self) -> str:
        return f"cart {self.token} ({self.market})"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveSmallIntegerField(default=1)
    unit = models.ForeignKey(
        OfferUnit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The unit the buyer chose among those the offer lists (then the quantity is 1)",
    )
    price_seen = models.BigIntegerField(help_text="Minor units the buyer saw when adding or last confirming")
    currency = models.CharField(max_length=3)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "offer"], name="cart_line_one_per_offer"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_QUANTITY), name="cart_line_quantity_1_to_5"
            ),
            models.CheckConstraint(condition=Q(unit__isnull=True) | Q(quantity=1), name="cart_line_chosen_unit_is_one"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × offer {self.offer_id}"


class PaymentState(models.TextChoices):
    """Where Reloop stands with an order's payment (the provider's own status is asked, never trusted from here)."""

    AWAITING_BUYER = "awaiting_buyer", _("Awaiting the buyer at the provider")
    PLACED = "placed", _("Captured and the order placed")
    FAILED = "failed", _("Declined, failed or abandoned")
    VOIDED = "voided", _("Authorization voided: the buyer was not charged")
    REFUNDED = "refunded", _("Captured after the hold expired: refunded in full")


class CheckoutPayment(models.Model):
    """The payment created at the provider for one order: its reference, the exact amount asked, and how Reloop
    settled it. One per order; the reference is unique, so a webhook or a return finds its order."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="checkout_payment")
    provider = models.CharField(max_length=20)
    reference = models.CharField(max_length=100, unique=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    instalments = models.PositiveSmallIntegerField(default=1)
    redirect_url = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=16, choices=PaymentState.choices, default=PaymentState.AWAITING_BUYER)
    settled_by = models.CharField(
        max_length=10, blank=True, help_text=_("What told Reloop the outcome first: webhook, redirect or job")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="checkout_payment_amount_positive"),
            models.CheckConstraint(condition=Q(instalments__gte=1), name="checkout_payment_instalments_positive"),
            models.CheckConstraint(condition=Q(state__in=PaymentState.values), name="checkout_payment_state_valid"),
        ]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.reference} ({self.state})"


class PaymentIssue(models.Model):
    """Something the reconciliation job found and could not fix: the operator's to-do list (Django admin and
    ``reloop run_jobs`` output). Reported once per payment and kind."""

    provider = models.CharField(max_length=20)
    reference = models.CharField(max_length=100)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=40)
    detail = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "reference", "kind"], name="payment_issue_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.reference}"
