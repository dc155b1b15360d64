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
    PAYOUT = "payout", _("Payout")
    ADJUSTMENT = "adjustment", _("Adjustment")


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
    AUTHORIZED = "authorized", _("Authorized")
    DECLINED = "declined", _("Declined")
    INSUFFICIENT_FUNDS = "insufficient_funds", _("Insufficient funds")
    CAPTURED = "captured", _("Captured")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")


class TestCharge(models.Model):
    """A charge at the offline test provider. Kept in the database so that a retried call with the same
    idempotency key gets the same answer in any process, and money is never taken twice."""

    __test__ = False  # not a pytest test class despite its name

    reference = models.CharField(max_length=40, unique=True)
    idempotency_key = models.CharField(max_length=domain.MAX_IDEMPOTENCY_KEY_LENGTH, unique=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    card_last4 = models.CharField(max_length=4)
    status = models.CharField(max_length=20, choices=ChargeStatus.choices)
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
