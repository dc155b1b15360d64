"""Trade-in: refurbishers' buy prices (``Bid``), quotes given to customers (``Quote``), and the trade-in itself
(``TradeIn``) with its history (``TradeInEvent``) and the refurbisher's inspection photos (``TradeInPhoto``).

Every write goes through ``buyback.services``; the constraints hold the invariants even against a bug there:
one bid per seller × variant × condition × market, positive amounts, valid states, a paid trade-in with its
agreed amount and fee, at most five photos in an allowed type.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reloop.aftersales.domain import MAX_PHOTO_BYTES, MAX_PHOTOS, PHOTO_TYPES
from reloop.buyback.domain import Condition, Escalation, PayoutMethod, State
from reloop.catalog.models import Variant
from reloop.devices.models import Device
from reloop.sellers.models import Seller


class Bid(models.Model):
    """What one refurbisher pays for a variant in one condition, in one market's currency."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="tradein_bids")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="tradein_bids")
    condition = models.CharField(max_length=16, choices=Condition.choices)
    market = models.CharField(max_length=5)
    currency = models.CharField(max_length=3)
    price = models.PositiveIntegerField(help_text=_("Minor units paid to the customer"))
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["variant", "condition", "market", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "variant", "condition", "market"], name="tradein_bid_one_per_seller_slot"
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="tradein_bid_price_positive"),
            models.CheckConstraint(condition=Q(condition__in=Condition.values), name="tradein_bid_condition_valid"),
        ]
        indexes = [models.Index(fields=["variant", "condition", "market"], name="tradein_bid_slot")]

    def __str__(self) -> str:
        return f"{self.seller_id} {self.variant_id} {self.condition} {self.market} {self.price}"


class Quote(models.Model):
    """The best bid at the time a customer described a device; binding until ``expires_at``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="tradein_quotes"
    )
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    market = models.CharField(max_length=5)
    currency = models.CharField(max_length=3)
    condition = models.CharField(max_length=16, choices=Condition.choices)
    answers = models.JSONField(default=dict)
    bid = models.ForeignKey(Bid, null=True, on_delete=models.SET_NULL, related_name="+")
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="tradein_quotes")
    amount = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="tradein_quote_amount_positive")]

    def __str__(self) -> str:
        return f"quote {self.pk}"


class TradeIn(models.Model):
    """One device on its way from a customer to a refurbisher, and the money for it."""

    number = models.CharField(max_length=20, unique=True)
    quote = models.OneToOneField(Quote, on_delete=models.PROTECT, related_name="tradein")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tradeins")
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="tradeins")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    market = models.CharField(max_length=5)
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=20, choices=State.choices, default=State.AWAITING_SHIPMENT)
    condition_declared = models.CharField(max_length=16, choices=Condition.choices)
    quoted_amount = models.PositiveIntegerField()
    condition_found = models.CharField(max_length=16, choices=Condition.choices, blank=True)
    counter_amount = models.PositiveIntegerField(null=True, blank=True)
    counter_reason = models.TextField(blank=True)
    agreed_amount = models.PositiveIntegerField(null=True, blank=True)
    fee_amount = models.PositiveIntegerField(null=True, blank=True)
    payout_method = models.CharField(max_length=6, choices=PayoutMethod.choices)
    iban = models.CharField(max_length=34, blank=True, help_text=_("Only for a bank transfer; shown masked"))
    account_holder = models.CharField(max_length=120, blank=True)
    # The prepaid label to the refurbisher, and the parcel back when a counter-offer is refused
    label_carrier = models.CharField(max_length=30)
    label_tracking = models.CharField(max_length=40)
    return_carrier = models.CharField(max_length=30, blank=True)
    return_tracking = models.CharField(max_length=40, blank=True)
    # The unit and its checks
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.PROTECT, related_name="tradeins")
    check_status = models.CharField(max_length=12, blank=True)
    check_reason = models.CharField(max_length=200, blank=True)
    # Timeline and deadlines
    accepted_at = models.DateTimeField()
    ship_by = models.DateTimeField()
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    inspect_due_at = models.DateTimeField(null=True, blank=True)
    countered_at = models.DateTimeField(null=True, blank=True)
    counter_due_at = models.DateTimeField(null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation = models.CharField(max_length=20, choices=Escalation.choices, blank=True)
    payout_reference = models.CharField(max_length=80, blank=True)
    payout_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-accepted_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values), name="tradein_state_valid"),
            models.CheckConstraint(condition=Q(quoted_amount__gt=0), name="tradein_quoted_positive"),
            models.CheckConstraint(
                condition=~Q(state__in=[State.VALIDATED, State.PAID])
                | Q(agreed_amount__gt=0, fee_amount__isnull=False, validated_at__isnull=False),
                name="tradein_validated_has_amounts",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.PAID) | Q(check_status="passed"), name="tradein_paid_only_checked"
            ),
            models.CheckConstraint(
                condition=~Q(payout_method=PayoutMethod.BANK) | ~Q(iban=""), name="tradein_bank_has_iban"
            ),
        ]
        indexes = [models.Index(fields=["seller", "state"]), models.Index(fields=["state", "escalated_at"])]

    def __str__(self) -> str:
        return self.number


class TradeInEvent(models.Model):
    """Who moved a trade-in from one state to another (or acted on it), when and why. Append-only."""

    tradein = models.ForeignKey(TradeIn, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    actor_kind = models.CharField(max_length=10)  # customer, seller, operator, system
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.TextField(blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.tradein_id}: {self.from_state} → {self.to_state}"


def _photo_path(instance: TradeInPhoto, filename: str) -> str:
    extension = PHOTO_TYPES.get(instance.content_type, "bin")
    return f"buyback/{instance.tradein_id}/{uuid.uuid4().hex}.{extension}"


class TradeInPhoto(models.Model):
    """A photo the refurbisher attached to a counter-offer: private, served only to the trade-in's customer, its
    refurbisher and the operator."""

    tradein = models.ForeignKey(TradeIn, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to=_photo_path, max_length=200)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["tradein", "position"], name="tradein_photo_unique_position"),
            models.CheckConstraint(
                condition=Q(position__gte=1, position__lte=MAX_PHOTOS), name="tradein_photo_at_most_five"
            ),
            models.CheckConstraint(condition=Q(size__gte=1, size__lte=MAX_PHOTO_BYTES), name="tradein_photo_size"),
            models.CheckConstraint(condition=Q(content_type__in=list(PHOTO_TYPES)), name="tradein_photo_type"),
        ]

    def __str__(self) -> str:
        return f"photo {self.position} of trade-in {self.tradein_id}"
