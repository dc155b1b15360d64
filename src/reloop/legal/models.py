"""Legal texts with versions per market, who accepted which version, and DSA notices about listings.

- ``LegalVersion``: one version of one document (terms of use, terms of sale, privacy, legal notice, cookies, model
  withdrawal form) of one market. Numbered 1, 2, 3… per market and document; at most one draft at a time. A
  published version never changes (``services`` refuse; the admin shows it read-only): a change is a new version.
- ``TermsAcceptance``: a person accepted a version, at sign-up or at checkout (with the order number).
- ``NoticeReport``: a notice of illegal content (DSA art. 16) from anyone, and the operator's decision (art. 17).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reloop.legal.domain import KIND_CHOICES, NOTICE_CATEGORIES, NOTICE_DECISIONS
from reloop.markets.data import MARKET_CODES
from reloop.offers.models import Offer

MARKET_CHOICES = [(code, code) for code in MARKET_CODES]


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class LegalVersion(models.Model):
    market = models.CharField(max_length=5, choices=MARKET_CHOICES)
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    number = models.PositiveIntegerField()
    language = models.CharField(max_length=2)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    status = models.CharField(max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    #: Still the shipped default text: the page says so until an operator publishes a reviewed version.
    from_template = models.BooleanField(default=False)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["market", "kind", "-number"]
        verbose_name = _("legal text version")
        verbose_name_plural = _("legal text versions")
        constraints = [
            models.UniqueConstraint(fields=["market", "kind", "number"], name="legal_version_number_unique"),
            models.UniqueConstraint(
                fields=["market", "kind"], condition=Q(status="draft"), name="legal_version_one_draft"
            ),
            models.CheckConstraint(
                condition=Q(status="draft", published_at__isnull=True)
                | Q(status="published", published_at__isnull=False),
                name="legal_version_published_has_date",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="legal_version_number_positive"),
        ]
        indexes = [models.Index(fields=["market", "kind", "status", "-number"], name="legal_version_current")]

    def __str__(self) -> str:
        return f"{self.market} {self.kind} v{self.number} ({self.status})"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class AcceptanceContext(models.TextChoices):
    SIGNUP = "signup", _("Sign-up")
    CHECKOUT = "checkout", _("Checkout")


class TermsAcceptance(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="terms_acceptances")
    version = models.ForeignKey(LegalVersion, on_delete=models.PROTECT, related_name="acceptances")
    context = models.CharField(max_length=10, choices=AcceptanceContext.choices)
    #: The order number for a checkout, empty at sign-up.
    reference = models.CharField(max_length=40, blank=True)
    accepted_at = models.DateTimeField()

    class Meta:
        ordering = ["-accepted_at", "-pk"]
        verbose_name = _("terms acceptance")
        constraints = [
            models.UniqueConstraint(fields=["user", "version", "context", "reference"], name="legal_acceptance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} accepted {self.version} at {self.context} {self.reference}".strip()


class NoticeStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    DECIDED = "decided", _("Decided")


class NoticeReport(models.Model):
    reference = models.CharField(max_length=16, unique=True)
    #: A random key carried by the form: a retried submission finds the notice it already made.
    submission_key = models.CharField(max_length=64, unique=True)
    market = models.CharField(max_length=5, choices=MARKET_CHOICES)
    category = models.CharField(max_length=20, choices=NOTICE_CATEGORIES)
    listing_url = models.CharField(max_length=500)
    offer = models.ForeignKey(Offer, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices")
    explanation = models.TextField()
    reporter_name = models.CharField(max_length=150, blank=True)
    reporter_email = models.EmailField(blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices"
    )
    good_faith = models.BooleanField()
    status = models.CharField(max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.RECEIVED)
    received_at = models.DateTimeField()
    decision = models.CharField(max_length=12, choices=NOTICE_DECISIONS, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["received_at", "pk"]
        verbose_name = _("notice of illegal content")
        verbose_name_plural = _("notices of illegal content")
        permissions = [("decide_noticereport", "Can decide on notices of illegal content")]
        constraints = [
            models.CheckConstraint(condition=Q(good_faith=True), name="legal_notice_good_faith"),
            models.CheckConstraint(
                condition=Q(status="received", decided_at__isnull=True, decision="")
                | (Q(status="decided", decided_at__isnull=False) & ~Q(decision="")),
                name="legal_notice_decision_complete",
            ),
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="legal_notice_queue")]

    def __str__(self) -> str:
        return f"Notice {self.reference}"
