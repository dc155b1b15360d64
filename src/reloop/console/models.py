"""The operator console's own data: reporting-currency exchange rates (with their date and source) and the audit
trail of operator decisions made through the console or the operator API.

Staff roles are Django groups created by a data migration (``roles.py`` says which permissions each holds);
``ConsoleAccess`` only carries the console's own permissions (it has no table).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reloop.sellers.models import Seller


class ConsoleAccess(models.Model):
    """No rows: the holder of the console's permissions (``console.view_console`` and friends)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_console", "Can open the operator console"),
            ("view_figures", "Can see GMV, take rate and the other sales figures"),
            ("export_reports", "Can export the console's figures and impact as CSV"),
            ("search_customers", "Can search orders, buyers, sellers and devices"),
            ("view_seller_360", "Can see a seller's whole record (orders, cases, payouts, decisions)"),
        ]

    def __str__(self) -> str:  # never instantiated: the model only carries permissions
        return "console access"


class ExchangeRate(models.Model):
    """Units of ``currency`` for one euro on ``as_of``, from ``source``: what the console converts with."""

    currency = models.CharField(max_length=3)
    per_eur = models.DecimalField(max_digits=14, decimal_places=6, help_text=_("Units of the currency for 1 EUR"))
    as_of = models.DateField()
    source = models.CharField(max_length=200)
    source_url = models.URLField(blank=True)

    class Meta:
        ordering = ["currency", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "as_of"], name="exchange_rate_one_per_day"),
            models.CheckConstraint(condition=Q(per_eur__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 EUR = {self.per_eur} {self.currency} ({self.as_of})"


class DecisionKind(models.TextChoices):
    SUSPEND = "suspend", _("Suspended the seller")
    REACTIVATE = "reactivate", _("Reactivated the seller")
    CASE_DECISION = "case_decision", _("Decided a case")
    APPROVE = "approve", _("Approved an application")
    REJECT = "reject", _("Rejected an application")


class OperatorDecision(models.Model):
    """One decision an operator took about a seller through the console or the operator API (append-only)."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="operator_decisions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=16, choices=DecisionKind.choices)
    reason = models.CharField(max_length=500, blank=True)
    reference = models.CharField(max_length=100, blank=True, help_text=_('e.g. "case:12"'))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["seller", "-created_at"])]
        constraints = [models.CheckConstraint(condition=Q(kind__in=DecisionKind.values), name="decision_kind_valid")]

    def __str__(self) -> str:
        return f"{self.kind} {self.seller_id} by {self.actor_id}"
