"""Orders: one checkout = one Order (one payment) → one SellerOrder per seller → lines that snapshot what was bought."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reloop.catalog.grading import BatteryTier, Grade, PartsProvenance
from reloop.catalog.models import Variant
from reloop.markets.data import MARKET_CODES
from reloop.offers.models import Offer, VatScheme
from reloop.orders.domain import LineState
from reloop.sellers.models import Seller


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    PAID = "paid", _("Paid")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    EXPIRED = "expired", _("Expired before payment")


class ShippingMethod(models.TextChoices):
    STANDARD = "standard", _("Standard")
    EXPRESS = "express", _("Express")


class Order(models.Model):
    number = models.CharField(max_length=20, unique=True)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    market = models.CharField(max_length=5, choices=[(c, c) for c in MARKET_CODES])
    currency = models.CharField(max_length=3)
    items_total = models.BigIntegerField()
    shipping_total = models.BigIntegerField()
    tax_total = models.BigIntegerField(
        default=0, help_text=_("Sales tax added at checkout (US), in minor units; 0 where prices include VAT")
    )
    total = models.BigIntegerField()
    tax_jurisdiction = models.CharField(max_length=60, blank=True, help_text=_("Where the sales tax is due: US-CA"))
    tax_source = models.CharField(max_length=200, blank=True, help_text=_("What computed the sales tax"))
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT)
    idempotency_key = models.CharField(max_length=100, unique=True, help_text=_("One checkout attempt"))
    reserved_until = models.DateTimeField(help_text=_("Stock is held for the buyer until then"))
    payment_reference = models.CharField(max_length=100, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    shipping_address = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(items_total__gte=0) & Q(shipping_total__gte=0) & Q(tax_total__gte=0) & Q(total__gt=0),
                name="order_totals_positive",
            ),
            models.CheckConstraint(
                condition=Q(total=models.F("items_total") + models.F("shipping_total") + models.F("tax_total")),
                name="order_total_is_sum",
            ),
        ]
        indexes = [models.Index(fields=["status", "reserved_until"]), models.Index(fields=["buyer", "-created_at"])]

    def __str__(self) -> str:
        return self.number


class SellerOrder(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="seller_orders")
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="seller_orders")
    shipping_method = models.CharField(max_length=10, choices=ShippingMethod.choices, default=ShippingMethod.STANDARD)
    shipping_amount = models.BigIntegerField(default=0)
    items_total = models.BigIntegerField()
    total = models.BigIntegerField()
    commission = models.BigIntegerField(default=0, help_text=_("Platform commission in minor units"))
    tax_amount = models.BigIntegerField(
        default=0,
        help_text=_("Sales tax on this part (lines and shipping), collected by the platform (not in total)"),
    )
    shipping_tax_amount = models.BigIntegerField(
        default=0, help_text=_("Of tax_amount, the sales tax on the shipping (US states that tax shipping)")
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "seller"], name="seller_order_one_per_seller"),
            models.CheckConstraint(condition=Q(tax_amount__gte=0), name="seller_order_tax_not_negative"),
            models.CheckConstraint(
                condition=Q(shipping_tax_amount__gte=0, shipping_tax_amount__lte=models.F("tax_amount")),
                name="seller_order_shipping_tax_within_tax",
            ),
            models.CheckConstraint(
                condition=Q(total=models.F("items_total") + models.F("shipping_amount")),
                name="seller_order_total_is_sum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.seller_id}"

    @property
    def awaiting_shipment(self) -> bool:
        """Some line is paid or accepted: the seller still has to ship it (reads the prefetched lines)."""
        return any(line.state in (LineState.PAID, LineState.ACCEPTED) for line in self.lines.all())


class OrderLine(models.Model):
    """What was bought, frozen at checkout: later edits of the offer or the catalogue do not change it."""

    seller_order = models.ForeignKey(SellerOrder, on_delete=models.CASCADE, related_name="lines")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="order_lines")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    seller_name = models.CharField(max_length=120)
    product_title = models.CharField(max_length=200)
    variant_label = models.CharField(max_length=200)
    sku = models.CharField(max_length=64)
    grade = models.CharField(max_length=10, choices=Grade.choices)
    battery_tier = models.CharField(max_length=10, choices=BatteryTier.choices)
    parts_provenance = models.CharField(max_length=16, choices=PartsProvenance.choices)
    replaced_parts = models.JSONField(default=list)
    warranty_months = models.PositiveSmallIntegerField()
    vat_scheme = models.CharField(max_length=10, choices=VatScheme.choices)
    unit_price = models.BigIntegerField()
    quantity = models.PositiveSmallIntegerField()
    line_total = models.BigIntegerField()
    commission = models.BigIntegerField(default=0, help_text=_("Platform commission on this line, in minor units"))
    tax_rate = models.DecimalField(
        max_digits=6, decimal_places=3, default=0, help_text=_("Sales tax rate in percent (US); 0 elsewhere")
    )
    tax_amount = models.BigIntegerField(default=0, help_text=_("Sales tax on line_total, in minor units"))
    avoided_kgco2e = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    # The range around the per-unit figure, frozen with it (docs/adr/0042-per-offer-co2e-ranges.md). Lines placed
    # before ranges existed keep their point figure and have no range.
    avoided_kgco2e_low = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    avoided_kgco2e_high = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    dispatch_days = models.PositiveSmallIntegerField(
        default=1, help_text=_("Business days the seller promised to ship within, frozen from the offer")
    )
    state = models.CharField(max_length=20, choices=LineState.choices, default=LineState.PAID)
    state_changed_at = models.DateTimeField(auto_now_add=True)
    # Set once by ``transition_line`` when the line first reaches the state (payouts and after-sales read them).
    accepted_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(line_total=models.F("unit_price") * models.F("quantity")),
                name="order_line_total_is_product",
            ),
            models.CheckConstraint(condition=Q(state__in=LineState.values), name="order_line_state_valid"),
            models.CheckConstraint(condition=Q(dispatch_days__lte=30), name="order_line_dispatch_days_at_most_30"),
            models.CheckConstraint(condition=Q(tax_amount__gte=0), name="order_line_tax_not_negative"),
            models.CheckConstraint(
                condition=Q(avoided_kgco2e_low__isnull=True, avoided_kgco2e_high__isnull=True)
                | Q(
                    avoided_kgco2e__isnull=False,
                    avoided_kgco2e_low__isnull=False,
                    avoided_kgco2e_high__isnull=False,
                    avoided_kgco2e_low__gte=0,
                    avoided_kgco2e_low__lte=models.F("avoided_kgco2e"),
                    avoided_kgco2e_high__gte=models.F("avoided_kgco2e"),
                ),
                name="order_line_avoided_range_contains_point",
            ),
            models.CheckConstraint(
                condition=~Q(state=LineState.DELIVERED) | Q(delivered_at__isnull=False),
                name="order_line_delivered_has_delivered_at",
            ),
        ]
        indexes = [models.Index(fields=["state", "state_changed_at"])]

    def __str__(self) -> str:
        return f"{self.product_title} ({self.state})"


class ActorKind(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    OPERATOR = "operator", _("Operator")
    SYSTEM = "system", _("System")


class LineEvent(models.Model):
    """Who moved a line from one state to another, when and why. Written only by ``transition_line``."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.from_state} → {self.to_state}"
