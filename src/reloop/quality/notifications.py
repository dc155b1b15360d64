"""The quality emails: a seller's owners hear about a new warning or a suspension, after commit.

One plain-text template (``quality/email/notice.txt``: first line the subject, then the body) in the site's
default language, with an absolute link to the scorecard. A failing mail server is logged and never undoes the
recorded warning (``on_commit(robust=True)``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from reloop.quality.domain import percent
from reloop.quality.models import QualityWarning, WarningKind
from reloop.sellers.models import MemberRole, Seller, SellerMember

logger = logging.getLogger(__name__)


def on_commit(*, seller_id: int, warning_ids: Sequence[int]) -> None:
    ids = tuple(warning_ids)
    if ids:
        transaction.on_commit(lambda: send(seller_id=seller_id, warning_ids=ids), robust=True)


def owner_emails(seller_id: int) -> list[str]:
    return [
        email
        for email in SellerMember.objects.filter(seller_id=seller_id, role=MemberRole.OWNER)
        .exclude(user__email="")
        .order_by("pk")
        .values_list("user__email", flat=True)
        if email
    ]


def _line(warning: QualityWarning) -> dict[str, str]:
    return {
        "metric": str(warning.get_metric_display()),
        "value": percent(warning.value),
        "limit": percent(warning.limit),
    }


def send(*, seller_id: int, warning_ids: Sequence[int]) -> int:
    """Send the notice now (one message to every owner); returns how many recipients."""
    recipients = owner_emails(seller_id)
    if not recipients:
        return 0
    seller = Seller.objects.get(pk=seller_id)
    warnings = list(QualityWarning.objects.filter(pk__in=warning_ids).order_by("kind", "metric"))
    with translation.override(settings.LANGUAGE_CODE):
        link = getattr(settings, "RELOOP_SITE_URL", "").rstrip("/") + reverse("seller:quality")
        text = render_to_string(
            "quality/email/notice.txt",
            {
                "seller": seller,
                "warnings": [_line(w) for w in warnings if w.kind == WarningKind.WARNING],
                "suspensions": [_line(w) for w in warnings if w.kind == WarningKind.SUSPENSION],
                "link": link,
            },
        ).strip()
    subject, _, body = text.partition("\n")
    send_mail(subject.strip(), body.strip() + "\n", None, recipients)
    return len(recipients)
