"""Emails to the person who sent a notice: its receipt (DSA art. 16(4)) and the decision with reasons (16(5)).

Sent after commit through Django's email API (any ``EMAIL_BACKEND``), in the notice's market language. A notice
without an email address (allowed for some offences) gets none.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from reloop.legal.identity import platform_identity
from reloop.legal.models import NoticeReport

logger = logging.getLogger(__name__)


def _send(notice: NoticeReport, template: str) -> None:
    if not notice.reporter_email:
        return
    with translation.override(notice.market):
        context = {"notice": notice, "site_url": settings.RELOOP_SITE_URL, "identity": platform_identity()}
        subject = render_to_string(f"legal/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"legal/email/{template}.txt", context)
    try:
        send_mail(subject, body, None, [notice.reporter_email])
    except Exception:  # the notice is recorded either way; the operator sees it in the queue
        logger.exception("could not email notice %s (%s)", notice.reference, template)


def notice_received(notice: NoticeReport) -> None:
    _send(notice, "notice_received")


def notice_decided(notice: NoticeReport) -> None:
    _send(notice, "notice_decided")
