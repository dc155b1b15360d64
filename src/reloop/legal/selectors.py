"""Every read of the legal pages and notices (each states its query count)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from reloop.accounts.models import User
from reloop.legal import domain
from reloop.legal.errors import NoticeNotFound, VersionNotFound
from reloop.legal.models import LegalVersion, NoticeReport, NoticeStatus, TermsAcceptance, VersionStatus


def published_version(*, market: str, kind: str) -> LegalVersion | None:
    """The version in force (the highest published number), or None. One query."""
    return (
        LegalVersion.objects.filter(market=market, kind=kind, status=VersionStatus.PUBLISHED)
        .order_by("-number")
        .first()
    )


def get_version(*, version_id: int) -> LegalVersion:
    version = LegalVersion.objects.select_related("created_by", "published_by").filter(pk=version_id).first()
    if version is None:
        raise VersionNotFound("No such version.")
    return version


def versions_of(*, market: str, kind: str) -> list[LegalVersion]:
    """Every version of one document, newest first, without their texts. One query."""
    return list(
        LegalVersion.objects.filter(market=market, kind=kind)
        .defer("body")
        .select_related("published_by", "created_by")
        .order_by("-number")
    )


@dataclass(frozen=True)
class DocumentRow:
    market: str
    kind: str
    label: str
    published: LegalVersion | None
    draft: LegalVersion | None


def documents_overview(*, markets: list[tuple[str, str]]) -> list[DocumentRow]:
    """For each (market code, country) and each of its documents: the version in force and the draft. One query."""
    versions = LegalVersion.objects.filter(market__in=[code for code, _country in markets]).defer("body")
    latest: dict[tuple[str, str], LegalVersion] = {}
    drafts: dict[tuple[str, str], LegalVersion] = {}
    for version in versions:
        key = (version.market, version.kind)
        if version.status == VersionStatus.DRAFT:
            drafts[key] = version
        elif key not in latest or latest[key].number < version.number:
            latest[key] = version
    return [
        DocumentRow(code, kind, str(domain.KIND_LABELS[kind]), latest.get((code, kind)), drafts.get((code, kind)))
        for code, country in markets
        for kind in domain.kinds_for_country(country)
    ]


def notice_queue(*, status: str = NoticeStatus.RECEIVED) -> QuerySet[NoticeReport]:
    """Notices in one state, oldest first (the queue), with their listing's offer and seller. One query a page."""
    return (
        NoticeReport.objects.filter(status=status)
        .select_related("offer__seller", "offer__variant")
        .defer("explanation", "decision_reason")
        .order_by("received_at", "pk")
    )


def get_notice(*, notice_id: int) -> NoticeReport:
    notice = (
        NoticeReport.objects.select_related("offer__seller", "offer__variant", "decided_by", "reporter")
        .filter(pk=notice_id)
        .first()
    )
    if notice is None:
        raise NoticeNotFound("No such notice.")
    return notice


def acceptances_of(*, user: User) -> list[TermsAcceptance]:
    return list(TermsAcceptance.objects.filter(user=user).select_related("version").order_by("-accepted_at"))


def notice_by_receipt(*, reference: str, submission_key: str) -> NoticeReport | None:
    """The notice whose reference and submission key both match (what its reporter's confirmation link carries)."""
    if not reference or not submission_key:
        return None
    return NoticeReport.objects.filter(reference=reference[:16], submission_key=submission_key[:64]).first()
