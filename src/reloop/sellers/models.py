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
