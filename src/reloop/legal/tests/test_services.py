"""Versions of the legal texts (immutable once published), acceptances, and DSA notices with their decisions."""

from __future__ import annotations

import pytest
from django.core import mail

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import VariantFactory
from reloop.legal import domain, services
from reloop.legal.errors import InvalidNotice, NoticeAlreadyDecided, VersionNotFound, VersionPublished
from reloop.legal.models import LegalVersion, NoticeReport, TermsAcceptance
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return UserFactory(is_staff=True)


class TestVersions:
    def test_the_default_text_is_published_as_version_1_marked_as_a_template(self):
        version = services.current_version(market="fr-fr", kind=domain.TERMS_OF_USE)
        assert (version.number, version.status, version.from_template, version.language) == (1, "published", True, "fr")
        assert version.title == "Conditions générales d'utilisation"
        assert services.current_version(market="fr-fr", kind=domain.TERMS_OF_USE).pk == version.pk
        assert LegalVersion.objects.count() == 1

    def test_a_market_in_another_language_starts_from_the_english_text(self):
        version = services.current_version(market="ja-jp", kind=domain.PRIVACY)
        assert (version.language, version.title) == ("en", "Privacy notice")

    def test_a_document_a_market_does_not_have_is_not_found(self):
        with pytest.raises(VersionNotFound):
            services.current_version(market="en-us", kind=domain.WITHDRAWAL_FORM)

    def test_a_draft_is_edited_then_published_and_becomes_the_version_in_force(self, operator):
        v1 = services.current_version(market="de-de", kind=domain.PRIVACY)
        draft = services.start_draft(actor=operator, market="de-de", kind=domain.PRIVACY)
        assert (draft.number, draft.status, draft.body) == (2, "draft", v1.body)
        assert services.start_draft(actor=operator, market="de-de", kind=domain.PRIVACY).pk == draft.pk  # one draft
        services.edit_draft(actor=operator, version_id=draft.pk, title="Datenschutz", body="Neu.", change_note="x")
        assert services.current_version(market="de-de", kind=domain.PRIVACY).pk == v1.pk  # a draft is not in force
        published = services.publish_draft(actor=operator, version_id=draft.pk)
        assert (published.status, published.published_by, published.from_template) == ("published", operator, False)
        assert services.current_version(market="de-de", kind=domain.PRIVACY).pk == draft.pk

    def test_a_published_version_never_changes(self, operator):
        v1 = services.current_version(market="en-gb", kind=domain.TERMS_OF_SALE)
        before = LegalVersion.objects.values().get(pk=v1.pk)
        with pytest.raises(VersionPublished):
            services.edit_draft(actor=operator, version_id=v1.pk, title="Changed", body="Changed")
        with pytest.raises(VersionPublished):
            services.publish_draft(actor=operator, version_id=v1.pk)
        assert LegalVersion.objects.values().get(pk=v1.pk) == before

    def test_an_empty_text_is_refused_and_the_draft_is_kept(self, operator):
        draft = services.start_draft(actor=operator, market="en-gb", kind=domain.COOKIES)
        with pytest.raises(InvalidNotice):
            services.edit_draft(actor=operator, version_id=draft.pk, title="", body="  ")
        draft.refresh_from_db()
        assert draft.body.startswith("**Template")


class TestAcceptance:
    def test_the_version_in_force_is_recorded_once(self, operator):
        user = UserFactory()
        first = services.record_acceptance(user=user, market="it-it", kind=domain.TERMS_OF_USE, context="signup")
        again = services.record_acceptance(user=user, market="it-it", kind=domain.TERMS_OF_USE, context="signup")
        assert first.pk == again.pk
        assert (first.version.market, first.version.number, first.context) == ("it-it", 1, "signup")
        # After a new version is published, the next acceptance points at it; the old one keeps its version.
        draft = services.start_draft(actor=operator, market="it-it", kind=domain.TERMS_OF_USE)
        services.publish_draft(actor=operator, version_id=draft.pk)
        later = services.record_acceptance(
            user=user, market="it-it", kind=domain.TERMS_OF_USE, context="checkout", reference="R-1"
        )
        assert later.version.number == 2
        assert sorted(TermsAcceptance.objects.values_list("version__number", flat=True)) == [1, 2]

    def test_an_accepted_version_cannot_be_deleted(self):
        from django.db.models import ProtectedError

        acceptance = services.record_acceptance(
            user=UserFactory(), market="en-gb", kind=domain.TERMS_OF_USE, context="signup"
        )
        with pytest.raises(ProtectedError):
            acceptance.version.delete()


def notice_data(**changes):
    data = {
        "market": "fr-fr",
        "submission_key": "key-1",
        "category": "counterfeit",
        "listing_url": "http://testserver/fr-fr/p/iphone-13/",
        "explanation": "This listing shows a counterfeit phone with a fake logo.",
        "reporter_name": "Ann Example",
        "reporter_email": "ann@example.com",
        "good_faith": True,
        "site_hosts": frozenset({"testserver"}),
    }
    return {**data, **changes}


class TestNotices:
    def test_a_notice_is_recorded_and_confirmed_once_after_commit(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            notice = services.submit_notice(**notice_data())
        assert (notice.status, notice.market, notice.reporter_email) == ("received", "fr-fr", "ann@example.com")
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["ann@example.com"]
        assert notice.reference in mail.outbox[0].subject
        # The same form sent again: the same notice, no second email.
        with django_capture_on_commit_callbacks(execute=True):
            again = services.submit_notice(**notice_data())
        assert again.pk == notice.pk
        assert NoticeReport.objects.count() == 1
        assert len(mail.outbox) == 1

    def test_an_incomplete_notice_is_refused_and_nothing_is_saved_or_sent(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidNotice) as exc:
            services.submit_notice(**notice_data(good_faith=False, reporter_email=""))
        assert set(exc.value.field_errors) == {"good_faith", "reporter_email"}
        assert NoticeReport.objects.count() == 0
        assert mail.outbox == []

    def test_a_rolled_back_notice_sends_nothing(self, django_capture_on_commit_callbacks):
        from django.db import transaction

        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            try:
                with transaction.atomic():
                    services.submit_notice(**notice_data())
                    raise RuntimeError("boom")
            except RuntimeError:
                pass
        assert callbacks == []
        assert mail.outbox == []
        assert NoticeReport.objects.count() == 0

    def test_the_decision_is_recorded_once_and_sent_with_its_reasons(
        self, operator, django_capture_on_commit_callbacks
    ):
        notice = services.submit_notice(**notice_data())
        with django_capture_on_commit_callbacks(execute=True):
            decided = services.decide_notice(
                actor=operator, notice_id=notice.pk, decision="no_action", reason="The device is genuine: checked."
            )
        assert (decided.status, decided.decision, decided.decided_by) == ("decided", "no_action", operator)
        assert len(mail.outbox) == 1
        assert "The device is genuine: checked." in mail.outbox[0].body
        with pytest.raises(NoticeAlreadyDecided):
            services.decide_notice(actor=operator, notice_id=notice.pk, decision="removed", reason="Changed my mind")
        notice.refresh_from_db()
        assert notice.decision == "no_action"

    def test_removing_the_listing_takes_the_offer_off_sale_and_tells_the_seller(
        self, operator, django_capture_on_commit_callbacks
    ):
        from reloop.notifications.models import Message
        from reloop.sellers.tests.factories import SellerMemberFactory

        member = SellerMemberFactory()
        offer = make_offer(seller=member.seller, variant=VariantFactory())
        notice = services.submit_notice(
            **notice_data(offer_id=offer.pk, reporter_name="", reporter_email="", category="child_abuse")
        )
        assert notice.offer_id == offer.pk
        with django_capture_on_commit_callbacks(execute=True):
            services.decide_notice(
                actor=operator, notice_id=notice.pk, decision="removed", reason="Counterfeit, confirmed."
            )
        assert Offer.objects.get(pk=offer.pk).is_active is False
        assert [m.to for m in mail.outbox] == [[member.user.email]]  # the seller; the reporter gave no email
        assert "Counterfeit, confirmed." in mail.outbox[0].body
        assert Message.objects.filter(template="legal/email/notice_seller", to=member.user.email).count() == 1

    def test_an_unknown_offer_id_is_dropped_not_an_error(self):
        notice = services.submit_notice(**notice_data(offer_id=987654321))
        assert notice.offer_id is None
