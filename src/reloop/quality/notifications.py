"""The quality emails: a seller's owners hear about a new warning or a suspension, through ``notifications``.

Each owner gets one message per quality run that opened warnings (``quality/email/notice``: subject, text and
HTML), in the seller's language (the market of its country of establishment), with an absolute link to the
scorecard. ``notifications.queue_email`` records it (to, template, time, the warning it is about) inside the
quality job's transaction and sends it after commit, once per warning set and owner (``dedupe_key``): a rolled-back
run sends nothing, a job run twice sends nothing more, and a failing mail server marks the message failed without
undoing the recorded warning.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils import translation

from reloop.markets.registry import market_timezone
from reloop.notifications.services import language_for_country, queue_email, site_url
from reloop.quality.domain import percent
from reloop.quality.models import QualityWarning, WarningKind
from reloop.sellers.models import MemberRole, Seller, SellerMember

TEMPLATE = "quality/email/notice"


def on_commit(*, seller_id: int, warning_ids: Sequence[int]) -> int:
    """Queue the notice of ``warning_ids`` to every owner of the seller (sent when the caller's transaction
    commits); returns how many messages were queued (0 when already queued for these warnings)."""
    ids = sorted(warning_ids)
    if not ids:
        return 0
    return send(seller_id=seller_id, warning_ids=ids)


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
    """Record and queue the notice to every owner; returns how many messages were queued."""
    recipients = owner_emails(seller_id)
    if not recipients:
        return 0
    seller = Seller.objects.get(pk=seller_id)
    warnings = list(QualityWarning.objects.filter(pk__in=warning_ids).order_by("kind", "metric"))
    if not warnings:
        return 0
    language = language_for_country(seller.country)
    queued = 0
    with translation.override(language):  # the metric names are rendered in the seller's language
        context = {
            "seller": seller,
            "warnings": [_line(w) for w in warnings if w.kind == WarningKind.WARNING],
            "suspensions": [_line(w) for w in warnings if w.kind == WarningKind.SUSPENSION],
            "link": site_url(reverse("seller:quality")),
        }
    event = ",".join(str(pk) for pk in sorted(w.pk for w in warnings))
    for email in recipients:
        message = queue_email(
            to=email,
            template=TEMPLATE,
            context=context,
            language=language,
            time_zone=market_timezone(language),
            about=("quality_warning", warnings[0].pk),
            dedupe_key=f"quality:{seller_id}:{event}:{email.lower()}"[:200],
        )
        queued += message is not None
    return queued
