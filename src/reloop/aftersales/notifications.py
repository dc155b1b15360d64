"""The emails of after-sales: one plain-text message to the other party at each step, sent after commit.

A template per step (``aftersales/email/<step>.txt``): its first line is the subject, the rest the body; it is
rendered once per recipient role, in the buyer's market language for the buyer and the site's default language
for the seller and the operator, times in the order's market time zone. Links are absolute, from
``RELOOP_SITE_URL``. Each message is recorded and sent through ``notifications.queue_rendered`` (the email log); a
failing mail server is recorded and logged and never undoes the step.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from reloop.core.money import Money
from reloop.markets.registry import get_market
from reloop.notifications.services import Rendered, queue_rendered
from reloop.notifications.site import site_root

logger = logging.getLogger(__name__)

STEPS = ("opened", "answered", "shipped_back", "received", "resolved", "refunded", "escalated", "decided", "message")


def on_commit(case_id: int, step: str, *, to: Sequence[str]) -> None:
    """Email ``to`` (roles: buyer, seller, operator) about ``step`` of the case once the transaction commits."""
    if step not in STEPS:
        raise ValueError(f"unknown after-sales email {step!r}")
    roles = tuple(to)
    transaction.on_commit(lambda: send(case_id, step, roles), robust=True)


def _link(name: str, case_id: int, language: str) -> str:
    with translation.override(language):
        try:
            path = reverse(name, kwargs={"case_id": case_id})
        except NoReverseMatch:
            return ""
    return site_root() + path


def send(case_id: int, step: str, roles: Sequence[str]) -> int:
    """Send the emails now; returns how many messages went out."""
    from reloop.aftersales.models import Case
    from reloop.sellers.models import SellerMember

    case = Case.objects.select_related("order", "buyer", "seller", "line").get(pk=case_id)
    last_message = case.messages.order_by("-pk").first() if step == "message" else None
    market = get_market(case.order.market)
    refund = Money(case.refund_total or 0, case.currency).format(market.locale) if case.refund_amount else ""
    sent = 0
    for role in roles:
        if role == "buyer":
            recipients = [case.buyer.email] if case.buyer.email else []
            language = case.order.market
            link = _link("web:case", case.pk, language)
        elif role == "seller":
            recipients = [
                email
                for email in SellerMember.objects.filter(seller_id=case.seller_id).values_list("user__email", flat=True)
                if email
            ]
            language = settings.LANGUAGE_CODE
            link = _link("seller:case", case.pk, language)
        else:
            recipients = list(settings.RELOOP_AFTERSALES_EMAIL)
            language = settings.LANGUAGE_CODE
            link = _link("operator:case", case.pk, language)
        if not recipients:
            continue
        with translation.override(language), timezone.override(market.timezone):
            text = render_to_string(
                f"aftersales/email/{step}.txt",
                {
                    "case": case,
                    "role": role,
                    "link": link,
                    "message": last_message,
                    "refund": refund,
                    "tz": market.timezone,
                },
            ).strip()
        subject, _, body = text.partition("\n")
        for recipient in recipients:  # one recorded message each (the email log, docs/emails.md)
            queue_rendered(
                to=recipient,
                template=f"aftersales/email/{step}",
                rendered=Rendered(subject.strip(), body.strip() + "\n", ""),
                language=language,
                about=("case", case.pk),
            )
        sent += 1
    return sent
