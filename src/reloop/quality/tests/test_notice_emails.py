"""Quality warnings reach the seller's owners through ``notifications``: recorded like every message (to,
template, time, the warning), in the seller's language, HTML and text, once per warning set, only on commit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from reloop.accounts.tests.factories import UserFactory
from reloop.core import clock
from reloop.notifications.models import Message
from reloop.quality import notifications
from reloop.quality.domain import Metric
from reloop.quality.models import QualitySnapshot, QualityWarning, WarningKind
from reloop.sellers.models import MemberRole
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory

pytestmark = pytest.mark.django_db


def warned(country: str, *kinds: str) -> tuple[int, list[int]]:
    seller = SellerFactory.create(name="Atelier Phénix", country=country)
    SellerMemberFactory(seller=seller, user=UserFactory(email="owner@phenix.test"), role=MemberRole.OWNER)
    SellerMemberFactory(seller=seller, user=UserFactory(email="staff@phenix.test"), role=MemberRole.STAFF)
    now = clock.now()
    snapshot = QualitySnapshot.objects.create(
        seller=seller, day=clock.today(), window_start=now, window_end=now, delivered_units=20, defects=3, score=60
    )
    ids = [
        QualityWarning.objects.create(
            seller=seller, snapshot=snapshot, kind=kind, metric=Metric.DEFECT_RATE, value=Decimal("0.15"),
            limit=Decimal("0.06"), opened_on=clock.today(),
        ).pk
        for kind in kinds
    ]  # fmt: skip
    return seller.pk, ids


def test_a_warning_is_recorded_and_sent_once_in_the_sellers_language_as_html_and_text(
    django_capture_on_commit_callbacks,
) -> None:
    seller_id, ids = warned("FR", WarningKind.WARNING)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.on_commit(seller_id=seller_id, warning_ids=ids) == 1
        assert notifications.on_commit(seller_id=seller_id, warning_ids=ids) == 0  # the same event again
    [message] = Message.objects.all()
    assert (message.to, message.template, message.language) == ("owner@phenix.test", "quality/email/notice", "fr-fr")
    assert (message.object_type, message.object_id, message.status) == ("quality_warning", str(ids[0]), "sent")
    assert message.created_at is not None
    [sent] = mail.outbox
    assert sent.to == ["owner@phenix.test"]  # owners only
    assert sent.subject == "Avertissement qualité pour Atelier Phénix"
    assert "15%" in sent.body
    assert "/seller/quality/" in sent.body
    assert isinstance(sent, EmailMultiAlternatives)
    content, mimetype = sent.alternatives[0]
    html = str(content)
    assert mimetype == "text/html"
    assert "Avertissement qualité pour Atelier Phénix" in html
    assert "15%" in html
    assert "Ouvrir votre fiche qualité" in html


def test_a_suspension_in_english_for_a_uk_seller(django_capture_on_commit_callbacks) -> None:
    seller_id, ids = warned("GB", WarningKind.WARNING, WarningKind.SUSPENSION)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.on_commit(seller_id=seller_id, warning_ids=ids)
    [sent] = mail.outbox
    assert sent.subject == "Atelier Phénix is suspended from selling on Reloop"
    assert "no longer take part in the buy box" in sent.body
    assert Message.objects.get().language == "en-gb"


def test_a_rolled_back_quality_run_records_and_sends_nothing(django_capture_on_commit_callbacks) -> None:
    seller_id, ids = warned("GB", WarningKind.WARNING)

    def failing_run() -> None:
        with transaction.atomic():
            notifications.on_commit(seller_id=seller_id, warning_ids=ids)
            raise RuntimeError("the job failed after the warning")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError, match="job failed"):
        failing_run()
    assert (Message.objects.count(), len(mail.outbox)) == (0, 0)
