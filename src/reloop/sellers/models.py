"""Seller organisations (refurbishers) and their standing on the marketplace."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Standing(models.TextChoices):
    PENDING = "pending", _("Pending review")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class Seller(models.Model):
    name = models.CharField(_("trading name"), max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    legal_name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text=_("ISO 3166-1 country of establishment"))
    city = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    founded_year = models.PositiveSmallIntegerField(null=True, blank=True)
    standing = models.CharField(max_length=10, choices=Standing.choices, default=Standing.PENDING)
    quality_score = models.PositiveSmallIntegerField(
        default=100, help_text=_("0-100, computed from the last 90 days of orders")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the operator approved it; the new-seller cap counts from here")
    )
    capped_on = models.DateField(
        null=True, blank=True, help_text=_("The day it reached its new-seller daily cap: no buy box until the next")
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(quality_score__lte=100), name="seller_quality_score_max_100"),
            models.CheckConstraint(condition=Q(standing__in=Standing.values), name="seller_standing_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class SellerToken(models.Model):
    """An API key of one seller. Only the SHA-256 of the key is kept; the key itself is shown once."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100, help_text=_("What the key is for, e.g. “stock sync”"))
    key_prefix = models.CharField(max_length=8, db_index=True, help_text=_("Shown in lists to recognise a key"))
    key_hash = models.CharField(max_length=64, unique=True, help_text=_("SHA-256 hex of the whole key"))
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["seller", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(key_hash__regex=r"^[0-9a-f]{64}$"), name="seller_token_hash_is_sha256"),
        ]

    def __str__(self) -> str:
        return f"{self.key_prefix} ({self.name})"


class MemberRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    STAFF = "staff", _("Staff")


class SellerMember(models.Model):
    """A person who works in one seller's back office. Owners manage the team and API keys; staff run the
    offers and orders. A person belongs to at most one seller, so the back office never has to ask which."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seller_member")
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seller", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=MemberRole.values), name="seller_member_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.seller_id} ({self.role})"

    @property
    def is_owner(self) -> bool:
        return self.role == MemberRole.OWNER


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SellerApplication(models.Model):
    """A trader's request to sell, with the identity the EU DSA (art. 30) asks a marketplace to collect and show.

    Validated by ``sellers.domain.validate_application``; decided once by an operator. An approved application
    stays linked to the seller it created (``seller``): its legal data is what buyers see on the seller's page.
    """

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seller_applications"
    )
    trading_name = models.CharField(_("trading name"), max_length=120)
    legal_name = models.CharField(_("legal company name"), max_length=200)
    country = models.CharField(_("country of establishment"), max_length=2)
    registration_number = models.CharField(_("company registration number"), max_length=40)
    vat_number = models.CharField(_("VAT number"), max_length=20)
    jp_registration_number = models.CharField(
        _("Japanese invoice registration number"),
        max_length=14,
        blank=True,
        help_text=_("T and 13 digits: printed on Japanese qualified invoices"),
    )
    au_abn = models.CharField(
        _("Australian Business Number (ABN)"),
        max_length=11,
        blank=True,
        help_text=_("Printed on Australian tax invoices"),
    )
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    address_line1 = models.CharField(_("address line 1"), max_length=200)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    address_country = models.CharField(_("country"), max_length=2)
    contact_name = models.CharField(_("contact name"), max_length=150)
    email = models.EmailField(_("email"), max_length=254)
    phone = models.CharField(_("phone"), max_length=30)
    self_certified_at = models.DateTimeField(
        help_text=_("When the trader committed to offer only products and services that comply with EU law")
    )
    status = models.CharField(max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED)
    rejection_reason = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    seller = models.OneToOneField(Seller, on_delete=models.PROTECT, null=True, blank=True, related_name="application")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="seller_application_status_valid"
            ),
            # One open application per person: a second one waits for the first to be decided.
            models.UniqueConstraint(
                fields=["applicant"],
                condition=Q(status="submitted"),
                name="seller_application_one_open_per_applicant",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted") | Q(decided_at__isnull=False, decided_by__isnull=False),
                name="seller_application_decision_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="seller_application_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(seller__isnull=False),
                name="seller_application_approval_has_seller",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trading_name} ({self.status})"


#: How long an invitation link stays valid.
INVITATION_DAYS = 7


class SellerInvitation(models.Model):
    """An owner's invitation for someone to join the team. Only the SHA-256 of the link's token is kept; the
    link works once, for the person signed in with the invited email, until it expires or is revoked."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.STAFF)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["seller", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=MemberRole.values), name="seller_invitation_role_valid"),
            models.CheckConstraint(
                condition=Q(token_hash__regex=r"^[0-9a-f]{64}$"),  # noqa: S106  # a hash format, not a password
                name="seller_invitation_hash_is_sha256",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="seller_invitation_not_accepted_and_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.seller_id} ({self.role})"
