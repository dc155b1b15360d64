"""The ledger (accounts, transactions, postings), the test provider's charges, and received webhook events.

Ledger rows are append-only: ``save()`` only inserts, ``delete()`` and queryset ``update()``/``delete()`` raise
``LedgerAppendOnly``. Raw SQL can still change them, which is why ``reloop check_ledger`` exists
(docs/adr/0009-ledger.md).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reloop.orders.models import OrderLine, SellerOrder
from reloop.payments import domain
from reloop.payments.errors import LedgerAppendOnly
from reloop.sellers.models import Seller


class AccountKind(models.TextChoices):
    ASSET = domain.ASSET, _("Asset")
    LIABILITY = domain.LIABILITY, _("Liability")
    REVENUE = domain.REVENUE, _("Revenue")


class TransactionKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")
    CANCELLATION = "cancellation", _("Cancellation")
    RELEASE = "release", _("Release after the hold")
    PAYOUT = "payout", _("Payout")
    ADJUSTMENT = "adjustment", _("Adjustment")
    TRADEIN = "tradein", _("Trade-in")


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk changes. ``bulk_create`` is allowed: it only inserts."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise LedgerAppendOnly(f"{self.model.__name__} rows are never updated: post a correcting transaction.")

    def delete(self) -> NoReturn:
        raise LedgerAppendOnly(f"{self.model.__name__} rows are never deleted: post a correcting transaction.")


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerAppendOnly(f"{type(self).__name__} {self.pk} is never updated: post a correcting transaction.")
        kwargs["force_insert"] = True  # an instance given an existing pk must fail, not overwrite that row
        kwargs.pop("force_update", None)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise LedgerAppendOnly(f"{type(self).__name__} {self.pk} is never deleted: post a correcting transaction.")


class LedgerAccount(AppendOnly):
    """One account in one currency: ``psp:receivable``, ``platform:clearing``, ``platform:commission`` or
    ``seller:<id>:payable``. Created on first use; its balance is the sum of its postings."""

    code = models.CharField(max_length=64)
    currency = models.CharField(max_length=3)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=AccountKind.choices)
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["currency", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "currency"], name="ledger_account_unique_code_currency"),
            models.CheckConstraint(condition=Q(kind__in=AccountKind.values), name="ledger_account_kind_valid"),
            models.CheckConstraint(
                condition=~Q(code__startswith="seller:") | Q(seller__isnull=False),
                name="ledger_account_seller_accounts_have_seller",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.currency})"


class LedgerTransaction(AppendOnly):
    """One balanced money movement, written once under its idempotency key."""

    idempotency_key = models.CharField(max_length=domain.MAX_IDEMPOTENCY_KEY_LENGTH, unique=True)
    kind = models.CharField(max_length=12, choices=TransactionKind.choices)
    reference = models.CharField(max_length=domain.MAX_REFERENCE_LENGTH, db_index=True, help_text='e.g. "order:123"')
    memo = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TransactionKind.values), name="ledger_transaction_kind_valid"),
            models.CheckConstraint(condition=~Q(idempotency_key=""), name="ledger_transaction_key_not_empty"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.reference}"


class Posting(AppendOnly):
    """One leg of a transaction: a signed amount in minor units, debit positive and credit negative."""

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="postings")
    amount = models.BigIntegerField(help_text=_("Minor units; debit positive, credit negative"))
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="posting_amount_not_zero")]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.currency} → account {self.account_id}"


# --- The built-in test provider -------------------------------------------------------------------------


class ChargeStatus(models.TextChoices):
    REQUIRES_PAYMENT = "requires_payment", _("Awaiting the buyer")
    REQUIRES_ACTION = "requires_action", _("Awaiting 3-D Secure")
    AUTHORIZED = "authorized", _("Authorized")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Cancelled")
    CAPTURED = "captured", _("Captured")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")


class TestCharge(models.Model):
    """A payment at the offline test provider (its "payment intent"): created by Reloop's server, confirmed by
    the buyer on the provider's own page. Kept in the database so that a retried call with the same idempotency
    key gets the same answer in any process, and money is never taken twice. Only the card's last 4 digits are
    kept, by the provider."""

    __test__ = False  # not a pytest test class despite its name

    reference = models.CharField(max_length=40, unique=True)
    idempotency_key = models.CharField(max_length=domain.MAX_IDEMPOTENCY_KEY_LENGTH, unique=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    order_reference = models.CharField(max_length=40, blank=True)
    return_url = models.CharField(max_length=500, blank=True)
    instalments = models.PositiveSmallIntegerField(default=1)
    failure_code = models.CharField(max_length=40, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    status = models.CharField(max_length=20, choices=ChargeStatus.choices, default=ChargeStatus.REQUIRES_PAYMENT)
    captured_amount = models.BigIntegerField(default=0)
    capture_idempotency_key = models.CharField(max_length=domain.MAX_IDEMPOTENCY_KEY_LENGTH, blank=True)
    refunded_amount = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="test_charge_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=ChargeStatus.values), name="test_charge_status_valid"),
            models.CheckConstraint(
                condition=Q(captured_amount__gte=0, captured_amount__lte=models.F("amount")),
                name="test_charge_captured_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=models.F("captured_amount")),
                name="test_charge_refunded_within_captured",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.status}"


class TestRefund(models.Model):
    """One refund of a test charge, keyed on its idempotency key so a retry never refunds twice."""

    __test__ = False

    charge = models.ForeignKey(TestCharge, on_delete=models.PROTECT, related_name="refunds")
    reference = models.CharField(max_length=40, unique=True)
    idempotency_key = models.CharField(max_length=domain.MAX_IDEMPOTENCY_KEY_LENGTH, unique=True)
    amount = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="test_refund_amount_positive")]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount}"


# --- Webhooks -------------------------------------------------------------------------------------------


class WebhookOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    IGNORED = "ignored", _("Ignored (nothing to change)")
    UNHANDLED = "unhandled", _("Unknown type, stored only")


class WebhookEvent(models.Model):
    """A provider event received and verified; its unique id makes a redelivery a no-op."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    outcome = models.CharField(max_length=10, choices=WebhookOutcome.choices)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_unique_provider_event")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id} {self.type}"


# --- Payouts (docs/adr/0017-payouts.md) ---------------------------------------------------------------------


class LineRelease(AppendOnly):
    """A line's hold after delivery ended: ``amount`` moved from the seller's money on hold to their available
    balance, in ``transaction`` (none when nothing was left to release, e.g. a line refunded in full). One per
    line, ever: the unique line is what makes the release job safe to run twice."""

    line = models.OneToOneField(OrderLine, on_delete=models.PROTECT, related_name="payout_release")
    seller_order = models.ForeignKey(SellerOrder, on_delete=models.PROTECT, related_name="+")
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    amount = models.BigIntegerField(help_text=_("Minor units moved from on hold to available (≥ 0)"))
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="line_release"
    )
    released_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount=0, transaction__isnull=True) | Q(amount__gt=0, transaction__isnull=False),
                name="line_release_amount_has_transaction",
            ),
        ]
        indexes = [models.Index(fields=["seller", "currency", "transaction"])]

    def __str__(self) -> str:
        return f"line {self.line_id}: {self.amount} {self.currency}"


class LineRefund(AppendOnly):
    """Which seller account a refund (or cancellation) of one line took its net from: the hold, or the available
    balance once the line was released. Written with the refund's ledger transaction."""

    transaction = models.OneToOneField(LedgerTransaction, on_delete=models.PROTECT, related_name="line_refund")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    seller_order = models.ForeignKey(SellerOrder, on_delete=models.PROTECT, related_name="+")
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    gross = models.BigIntegerField()
    amount = models.BigIntegerField(help_text=_("Minor units taken from the seller: gross − commission returned"))
    from_available = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0, gross__gte=models.F("amount")), name="line_refund_amounts"
            ),
        ]

    def __str__(self) -> str:
        return f"line {self.line_id}: -{self.amount} {self.currency}"


class PayoutStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


class Payout(models.Model):
    """The money sent to one seller in one currency at one payout run: the seller's whole available balance at
    that moment, posted as one ledger transaction (available → ``psp:payouts``). A failed payout is reversed by a
    second transaction and its money is paid at the next run."""

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="payouts")
    currency = models.CharField(max_length=3)
    run_date = models.DateField()
    amount = models.BigIntegerField(help_text=_("Minor units"))
    status = models.CharField(max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.SCHEDULED)
    transaction = models.OneToOneField(LedgerTransaction, on_delete=models.PROTECT, related_name="payout")
    reversal = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="payout_reversal"
    )
    destination = models.CharField(max_length=40, blank=True, help_text=_("The bank account, masked"))
    provider = models.CharField(max_length=20)
    provider_reference = models.CharField(max_length=100, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-run_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "currency", "run_date"], name="payout_one_per_seller_currency_run"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=PayoutStatus.values), name="payout_status_valid"),
            models.CheckConstraint(
                condition=Q(status=PayoutStatus.FAILED, reversal__isnull=False)
                | (~Q(status=PayoutStatus.FAILED) & Q(reversal__isnull=True)),
                name="payout_failed_iff_reversed",
            ),
        ]
        indexes = [models.Index(fields=["run_date", "currency"]), models.Index(fields=["seller", "-run_date"])]

    def __str__(self) -> str:
        return f"payout {self.pk}: seller {self.seller_id} {self.amount} {self.currency} on {self.run_date}"


class PayoutRun(models.Model):
    """One scheduled payout date, run once: ``finished_at`` set means the date is done, so a later day (or a
    second process) never pays that date again."""

    run_date = models.DateField(unique=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    payouts = models.PositiveIntegerField(default=0, help_text=_("Payouts created by this run"))

    class Meta:
        ordering = ["-run_date"]

    def __str__(self) -> str:
        return f"payout run {self.run_date}"
