"""People: buyers, seller members and operators share one user model."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from reloop.markets.data import MARKET_CODES


class User(AbstractUser):
    # NULL lets staff accounts exist without an address while keeping every real address unique.
    email = models.EmailField(_("email address"), unique=True, null=True, blank=True)  # type: ignore[assignment]
    preferred_market = models.CharField(max_length=5, blank=True, choices=[(c, c) for c in MARKET_CODES])

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
