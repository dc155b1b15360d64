"""Sending email from one place: ``queue_email`` renders, records and sends after commit.

Each message has a template name ``<app>/<message>`` and three files under ``templates/``: ``<name>.subject.txt``
(one line), ``<name>.txt`` (the plain text) and ``<name>.html`` (the HTML part, extending
``notifications/email_base.html``). They are rendered in the recipient's market language and time zone, recorded
as a ``Message`` inside the caller's transaction, and handed to Django's email API (``EMAIL_BACKEND``: SMTP, the
console, or a django-anymail backend for a real email service, docs/emails.md) only once that transaction
commits: a rolled-back write sends nothing and leaves no record. A ``dedupe_key`` makes a message once per event:
queueing it again (a retried handler, a job run twice) does nothing. Attachments are built after commit, by a
callable, so a PDF is rendered outside any lock. A failing mail server marks the message failed and is logged; it
never undoes the write that caused it.

Each message is handed over under the delivery key ``message:<id>`` with a ``Message-ID`` derived from its
``dedupe_key`` (``core.mail``, ADR 0039): the sender claims the key before calling the mail server, so a duplicated
hand-over or a redelivered task sends nothing twice, and the message's status follows the claim — ``sending``
while a sender holds it, ``sent`` once the mail server accepted it, ``failed`` with the error otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from reloop.core import clock
from reloop.core.mail import email_claimed, email_failed, email_sent, hand_over, stable_message_id
from reloop.markets.data import MARKETS
from reloop.notifications.models import Message, MessageStatus
from reloop.notifications.site import site_root

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/pdf"


AttachmentBuilder = Callable[[], Sequence[Attachment]]


def language_for_country(country: str) -> str:
    """The market code to write to someone established in ``country`` (a seller): the first market of that
    country, else the site's default language."""
    return next((m.code for m in MARKETS if m.country == country.upper()), settings.LANGUAGE_CODE)


def site_url(path: str) -> str:
    """An absolute link for an email: the site's address (``notifications.site``) + path."""
    return site_root() + path


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render_email(
    *, template: str, context: Mapping[str, Any], language: str, time_zone: str = "UTC", subject: str | None = None
) -> Rendered:
    """The subject, text and HTML of ``template`` in ``language`` (a market code) and ``time_zone``. ``subject``
    replaces the subject template (messages whose subject is a translated string in code)."""
    with translation.override(language), timezone.override(time_zone):
        ctx = {**context, "site_url": site_root(), "language": language}
        if subject is None:
            subject = render_to_string(f"{template}.subject.txt", ctx)
        subject = " ".join(subject.split())
        text = render_to_string(f"{template}.txt", ctx).strip() + "\n"
        html: str
        try:
            html = render_to_string(f"{template}.html", {**ctx, "subject": subject})
        except TemplateDoesNotExist:
            html = ""
    return Rendered(subject[:300], text, html)


def queue_email(
    *,
    to: str,
    template: str,
    context: Mapping[str, Any],
    language: str,
    about: tuple[str, object],
    dedupe_key: str | None = None,
    time_zone: str = "UTC",
    attachments: AttachmentBuilder | None = None,
    subject: str | None = None,
) -> Message | None:
    """Render ``template`` for ``to``, record it and send it once the current transaction commits (at once outside
    one). Returns the recorded message, or ``None`` when there is no address or ``dedupe_key`` was already used."""
    if not to:
        return None
    if dedupe_key and _already_queued(dedupe_key, attachments):
        return None
    rendered = render_email(template=template, context=context, language=language, time_zone=time_zone, subject=subject)
    return queue_rendered(
        to=to, template=template, rendered=rendered, language=language, about=about, dedupe_key=dedupe_key,
        attachments=attachments,
    )  # fmt: skip


def queue_rendered(
    *,
    to: str,
    template: str,
    rendered: Rendered,
    language: str,
    about: tuple[str, object],
    dedupe_key: str | None = None,
    attachments: AttachmentBuilder | None = None,
) -> Message | None:
    """``queue_email`` for a message its app rendered itself (subject and body from one template): recorded now,
    sent after commit, once per ``dedupe_key``."""
    if not to:
        return None
    try:
        with transaction.atomic():  # a savepoint: a concurrent duplicate loses on the unique key, nothing else
            message = Message.objects.create(
                to=to,
                template=template,
                language=language,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                object_type=about[0],
                object_id=str(about[1])[:60],
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        if dedupe_key and _already_queued(dedupe_key, attachments):
            return None
        raise
    transaction.on_commit(lambda: deliver(message_id=message.pk, attachments=attachments), robust=True)
    return message


def _already_queued(dedupe_key: str, attachments: AttachmentBuilder | None) -> bool:
    """True when ``dedupe_key`` was used. A message still waiting for a sender is handed over again after commit:
    the first hand-over may have died with its process (a handler run again after a crash), and a second one sends
    nothing twice (the delivery key)."""
    waiting = Message.objects.filter(dedupe_key=dedupe_key).values_list("pk", "status").first()
    if waiting is None:
        return False
    if waiting[1] == MessageStatus.QUEUED:
        transaction.on_commit(lambda: deliver(message_id=waiting[0], attachments=attachments), robust=True)
    return True


def delivery_key(message_id: int) -> str:
    return f"message:{message_id}"


def _message_of(key: str) -> int | None:
    prefix, _, number = key.partition(":")
    return int(number) if prefix == "message" and number.isdigit() else None


def deliver(*, message_id: int, attachments: AttachmentBuilder | None = None) -> bool:
    """Hand a message to ``EMAIL_BACKEND`` now (a worker sends it, or this process with a direct backend); True
    when it was handed over. A sent message is never handed over again, and a second hand-over of one not yet sent
    sends nothing twice (the sender claims its delivery key)."""
    message = Message.objects.filter(pk=message_id, status__in=[MessageStatus.QUEUED, MessageStatus.FAILED]).first()
    if message is None:
        return False
    try:
        files = list(attachments()) if attachments else []
        email = EmailMultiAlternatives(message.subject, message.body_text, None, [message.to])
        email.extra_headers["Message-ID"] = stable_message_id(message.dedupe_key or delivery_key(message.pk))
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        for file in files:
            email.attach(file.filename, file.content, file.mimetype)
        Message.objects.filter(pk=message.pk).update(attachments=[f.filename for f in files])
        hand_over(email, key=delivery_key(message.pk))
    except Exception as exc:  # the mail server or an attachment failed: recorded, logged, the write stands
        logger.exception("Email %s to %s failed", message.template, message.to)
        Message.objects.filter(pk=message.pk).exclude(status=MessageStatus.SENT).update(
            status=MessageStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:500]
        )
        return False
    return True


# --- The message's status follows its send claim (core.mail) ----------------------------------------------


@receiver(email_claimed)
def _on_claimed(sender: object, *, key: str, **_: object) -> None:
    if (pk := _message_of(key)) is not None:
        Message.objects.filter(pk=pk).exclude(status=MessageStatus.SENT).update(status=MessageStatus.SENDING)


@receiver(email_sent)
def _on_sent(sender: object, *, key: str, **_: object) -> None:
    if (pk := _message_of(key)) is not None:
        Message.objects.filter(pk=pk).exclude(status=MessageStatus.SENT).update(
            status=MessageStatus.SENT, sent_at=clock.now(), error=""
        )


@receiver(email_failed)
def _on_failed(sender: object, *, key: str, error: str = "", **_: object) -> None:
    if (pk := _message_of(key)) is not None:
        Message.objects.filter(pk=pk).exclude(status=MessageStatus.SENT).update(
            status=MessageStatus.FAILED, error=error[:500]
        )
