"""Every write of the legal pages: versions of the texts, acceptances, DSA notices and their decisions.

- A market's document always has a current version: ``current_version`` publishes the shipped default text as
  version 1 (marked ``from_template``) the first time it is asked for, so sign-up can always record what was
  accepted. An operator then writes a draft (``start_draft`` / ``edit_draft``) and publishes it (``publish_draft``).
- A published version is never changed: ``edit_draft`` refuses it (``VersionPublished``), acceptances point at it
  (``PROTECT``), and a new text is a new number.
- ``record_acceptance`` is idempotent per (person, version, context, reference).
- ``submit_notice`` checks the elements of DSA art. 16(2), is idempotent on the form's submission key and sends the
  confirmation of receipt (art. 16(4)) after commit; ``decide_notice`` records the decision once and tells the
  reporter (art. 16(5)) and, for a removed or restricted listing, the seller (art. 17) the decision and its reasons,
  after commit. Every email is recorded in the email log (``reloop.notifications``).
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.db.models import Max

from reloop.accounts.models import User
from reloop.core import clock
from reloop.legal import domain, notifications
from reloop.legal.errors import (
    InvalidNotice,
    NoticeAlreadyDecided,
    NoticeNotFound,
    VersionNotFound,
    VersionPublished,
)
from reloop.legal.models import (
    AcceptanceContext,
    LegalVersion,
    NoticeReport,
    NoticeStatus,
    TermsAcceptance,
    VersionStatus,
)
from reloop.legal.selectors import published_version
from reloop.markets.registry import get_market


def _check_kind(market: str, kind: str) -> None:
    if kind not in domain.kinds_for_country(get_market(market).country):
        raise VersionNotFound(f"{market} has no {kind}")


def current_version(*, market: str, kind: str) -> LegalVersion:
    """The published version in force; the shipped default becomes version 1 when there is none yet."""
    _check_kind(market, kind)
    version = published_version(market=market, kind=kind)
    if version is not None:
        return version
    language = get_market(market).language
    text = domain.default_text(kind, language)
    now = clock.now()
    try:
        with transaction.atomic():
            return LegalVersion.objects.create(
                market=market,
                kind=kind,
                number=1,
                language=domain.default_language(language),
                title=text.title,
                body=text.body,
                status=VersionStatus.PUBLISHED,
                from_template=True,
                change_note="Default template shipped with Reloop",
                created_at=now,
                published_at=now,
            )
    except IntegrityError:  # published by a concurrent request (or number 1 is a draft an operator is writing)
        version = published_version(market=market, kind=kind)
        if version is None:
            raise
        return version


def start_draft(*, actor: User, market: str, kind: str) -> LegalVersion:
    """The draft of the next version, starting from the text in force (the existing draft if there is one)."""
    _check_kind(market, kind)
    with transaction.atomic():
        draft = LegalVersion.objects.filter(market=market, kind=kind, status=VersionStatus.DRAFT).first()
        if draft is not None:
            return draft
        base = current_version(market=market, kind=kind)
        last = LegalVersion.objects.filter(market=market, kind=kind).aggregate(n=Max("number"))["n"] or 0
        return LegalVersion.objects.create(
            market=market,
            kind=kind,
            number=last + 1,
            language=base.language,
            title=base.title,
            body=base.body,
            status=VersionStatus.DRAFT,
            created_at=clock.now(),
            created_by=actor,
        )


def edit_draft(*, actor: User, version_id: int, title: str, body: str, change_note: str = "") -> LegalVersion:
    """Replace a draft's text. A published version cannot change: ``VersionPublished``."""
    title = title.strip()
    body = body.replace("\r\n", "\n").strip()
    errors: dict[str, list[str]] = {}
    if not title or len(title) > domain.MAX_TITLE:
        errors["title"] = ["A title of 1 to 200 characters is required."]
    if not body or len(body) > domain.MAX_BODY:
        errors["body"] = ["A text of 1 to 100,000 characters is required."]
    if errors:
        raise InvalidNotice(errors)
    with transaction.atomic():
        version = LegalVersion.objects.select_for_update().filter(pk=version_id).first()
        if version is None:
            raise VersionNotFound("No such version.")
        if version.status != VersionStatus.DRAFT:
            raise VersionPublished("A published version never changes: start a new version.")
        # Conditional update: a version published between the read and the write is not touched.
        updated = LegalVersion.objects.filter(pk=version_id, status=VersionStatus.DRAFT).update(
            title=title, body=body + "\n", change_note=change_note.strip()[:300]
        )
        if not updated:
            raise VersionPublished("A published version never changes: start a new version.")
        version.refresh_from_db()
        return version


def publish_draft(*, actor: User, version_id: int) -> LegalVersion:
    """Publish a draft: it becomes the version in force from now, for new acceptances."""
    with transaction.atomic():
        version = LegalVersion.objects.select_for_update().filter(pk=version_id).first()
        if version is None:
            raise VersionNotFound("No such version.")
        if version.status != VersionStatus.DRAFT:
            raise VersionPublished("This version is already published.")
        now = clock.now()
        LegalVersion.objects.filter(pk=version_id, status=VersionStatus.DRAFT).update(
            status=VersionStatus.PUBLISHED, published_at=now, published_by=actor
        )
        version.refresh_from_db()
        return version


def record_acceptance(*, user: User, market: str, kind: str, context: str, reference: str = "") -> TermsAcceptance:
    """Record that ``user`` accepted the version of ``kind`` in force in ``market`` (idempotent)."""
    if context not in AcceptanceContext.values:
        raise ValueError(f"unknown acceptance context {context!r}")
    version = current_version(market=market, kind=kind)
    acceptance, _created = TermsAcceptance.objects.get_or_create(
        user=user,
        version=version,
        context=context,
        reference=reference[:40],
        defaults={"accepted_at": clock.now()},
    )
    return acceptance


def _new_reference() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "N-" + "".join(secrets.choice(alphabet) for _ in range(10))


def submit_notice(
    *,
    market: str,
    submission_key: str,
    category: str,
    listing_url: str,
    explanation: str,
    reporter_name: str,
    reporter_email: str,
    good_faith: bool,
    reporter: User | None = None,
    offer_id: int | None = None,
    site_hosts: frozenset[str] = frozenset(),
) -> NoticeReport:
    """Record a notice of illegal content; the reporter (when they gave an email) gets a confirmation of receipt.

    Raises ``InvalidNotice`` naming each missing element. A retried submission (same ``submission_key``) returns
    the notice already recorded, and sends nothing again.
    """
    market_code = get_market(market).code
    key = submission_key.strip()[:64]
    if not key:
        raise InvalidNotice({"": ["The form expired: reload the page and send it again."]})
    existing = NoticeReport.objects.filter(submission_key=key).first()
    if existing is not None:
        return existing
    problems = domain.check_notice(
        category=category,
        listing_url=listing_url,
        explanation=explanation,
        reporter_name=reporter_name,
        reporter_email=reporter_email,
        good_faith=good_faith,
        site_hosts=site_hosts,
    )
    if problems:
        errors: dict[str, list[str]] = {}
        for problem in problems:
            errors.setdefault(problem.field, []).append(problem.message)
        raise InvalidNotice(errors)
    from reloop.offers.models import Offer

    offer_pk = offer_id if offer_id and Offer.objects.filter(pk=offer_id).exists() else None
    try:
        with transaction.atomic():
            notice = NoticeReport.objects.create(
                reference=_new_reference(),
                submission_key=key,
                market=market_code,
                category=category,
                listing_url=listing_url.strip()[:500],
                offer_id=offer_pk,
                explanation=explanation.strip(),
                reporter_name=reporter_name.strip()[:150],
                reporter_email=reporter_email.strip()[:254],
                reporter=reporter,
                good_faith=True,
                received_at=clock.now(),
            )
            notifications.notice_received(notice)  # recorded now, sent after commit
    except IntegrityError:  # the same submission, sent twice at once
        return NoticeReport.objects.get(submission_key=key)
    return notice


def _take_offer_off_sale(offer_id: int) -> None:
    """A listing found illegal leaves the shop now (its buy boxes are refreshed on commit by the offers service)."""
    from reloop.offers.models import Offer
    from reloop.offers.services import set_offer_active

    offer = Offer.objects.select_related("seller").filter(pk=offer_id).first()
    if offer is not None:
        set_offer_active(seller=offer.seller, offer_id=offer.pk, active=False)


def decide_notice(*, actor: User, notice_id: int, decision: str, reason: str) -> NoticeReport:
    """The operator's decision on a notice, once, with its reasons; the reporter is told after commit.

    "removed" takes the reported offer (when the notice names one) off sale in the same transaction.
    """
    reason = reason.strip()
    errors: dict[str, list[str]] = {}
    if decision not in domain.NOTICE_DECISION_KEYS:
        errors["decision"] = ["Choose a decision."]
    if len(reason) < 10 or len(reason) > domain.MAX_EXPLANATION:
        errors["reason"] = ["State the reasons for the decision (10 to 5,000 characters)."]
    if errors:
        raise InvalidNotice(errors)
    with transaction.atomic():
        notice = NoticeReport.objects.select_for_update().filter(pk=notice_id).first()
        if notice is None:
            raise NoticeNotFound("No such notice.")
        updated = NoticeReport.objects.filter(pk=notice_id, status=NoticeStatus.RECEIVED).update(
            status=NoticeStatus.DECIDED,
            decision=decision,
            decision_reason=reason,
            decided_at=clock.now(),
            decided_by=actor,
        )
        if not updated:
            raise NoticeAlreadyDecided("This notice was already decided.")
        notice.refresh_from_db()
        if decision == "removed" and notice.offer_id is not None:
            _take_offer_off_sale(notice.offer_id)
        notifications.notice_decided(notice)  # recorded now, sent after commit
        return notice
