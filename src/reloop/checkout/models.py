"""Carts: anonymous (a token kept in the session) or a user's, one per market; lines remember the price seen."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from reloop.markets.data import MARKET_CODES
from reloop.offers.models import Offer

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
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × offer {self.offer_id}"
