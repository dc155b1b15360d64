"""Emails about notices of illegal content: the receipt to the reporter (DSA art. 16(4)), the decision with its
reasons to the reporter (art. 16(5)) and, when the listing was removed or restricted, to the seller (art. 17).

Each message is recorded in the email log (``reloop.notifications``: to, template, time, the notice) when the
service runs and sent after its transaction commits, once per notice and step; in the notice's market language
for the reporter. A notice without an email address (allowed for some offences) gets none.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from reloop.legal.identity import platform_identity
from reloop.legal.models import NoticeReport
from reloop.notifications.services import Rendered, queue_rendered
from reloop.notifications.site import site_root


def _queue(notice: NoticeReport, template: str, to: str, language: str) -> None:
    with translation.override(language):
        context = {"notice": notice, "site_url": site_root(), "identity": platform_identity()}
        subject = render_to_string(f"legal/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"legal/email/{template}.txt", context)
    queue_rendered(
        to=to,
        template=f"legal/email/{template}",
        rendered=Rendered(subject, body, ""),
        language=language,
        about=("notice", notice.pk),
        dedupe_key=f"legal:notice:{notice.pk}:{template}:{to}",
    )


def notice_received(notice: NoticeReport) -> None:
    if notice.reporter_email:
        _queue(notice, "notice_received", notice.reporter_email, notice.market)


def notice_decided(notice: NoticeReport) -> None:
    if notice.reporter_email:
        _queue(notice, "notice_decided", notice.reporter_email, notice.market)
    if notice.offer is not None and notice.decision in {"removed", "restricted"}:
        from reloop.sellers.models import SellerMember

        emails = SellerMember.objects.filter(seller_id=notice.offer.seller_id).values_list("user__email", flat=True)
        for email in emails:
            if email:
                _queue(notice, "notice_seller", email, settings.LANGUAGE_CODE)
