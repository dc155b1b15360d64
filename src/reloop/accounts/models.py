"""People: buyers, seller members and operators share one user model; buyers keep their delivery addresses."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reloop.accounts.domain import ADDRESS_FORMATS, MAX_LENGTHS
from reloop.markets.data import MARKET_CODES


class User(AbstractUser):
    """A person. Buyers sign in with their email address (any case); ``username`` is that address in lower case.

    Staff accounts created with ``reloop createsuperuser`` may have no email and sign in with their username.
    """

    # NULL lets staff accounts exist without an address while keeping every real address unique.
    email = models.EmailField(_("email address"), unique=True, null=True, blank=True)  # type: ignore[assignment]
    preferred_market = models.CharField(max_length=5, blank=True, choices=[(c, c) for c in MARKET_CODES])

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # Email is the sign-in identifier, looked up case-insensitively: "Ann@x.eu" and "ann@x.eu" are one.
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]


class Address(models.Model):
    """A delivery address of one user, in the format of its country (see ``reloop.accounts.domain``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    full_name = models.CharField(_("full name"), max_length=MAX_LENGTHS["full_name"])
    line1 = models.CharField(_("address line 1"), max_length=MAX_LENGTHS["line1"])
    line2 = models.CharField(_("address line 2"), max_length=MAX_LENGTHS["line2"], blank=True)
    postal_code = models.CharField(_("postal code"), max_length=MAX_LENGTHS["postal_code"])
    city = models.CharField(_("city"), max_length=MAX_LENGTHS["city"])
    region = models.CharField(_("region"), max_length=MAX_LENGTHS["region"], blank=True)
    country = models.CharField(_("country"), max_length=2, choices=[(c, c) for c in ADDRESS_FORMATS])
    phone = models.CharField(_("phone number"), max_length=MAX_LENGTHS["phone"], blank=True)
    is_default = models.BooleanField(_("default address"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_default", "created_at", "pk"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(is_default=True), name="accounts_address_one_default_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(country__in=list(ADDRESS_FORMATS)), name="accounts_address_country_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name}, {self.postal_code} {self.city} ({self.country})"
