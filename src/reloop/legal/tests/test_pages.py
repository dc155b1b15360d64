"""The legal pages of each market, the footer links, the public notice form, and the operator's pages for texts
and notices: who may see and do what, and constant query counts."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from reloop.accounts.tests.factories import UserFactory
from reloop.legal import domain, services
from reloop.legal.models import LegalVersion, NoticeReport, TermsAcceptance
from reloop.legal.tests.helpers import queries_for

pytestmark = pytest.mark.django_db


def staff_with(*codenames):
    person = UserFactory(is_staff=True)
    for codename in codenames:
        person.user_permissions.add(Permission.objects.get(codename=codename))
    return person


class TestPublicPages:
    def test_every_page_links_the_legal_pages_of_its_market(self, client):
        page = client.get("/fr-fr/").content.decode()
        for kind in domain.KINDS:
            assert f'href="/fr-fr/legal/{kind}/"' in page
        assert 'href="/fr-fr/report-illegal-content/"' in page
        us = client.get("/en-us/").content.decode()
        assert 'href="/en-us/legal/terms-of-use/"' in us
        assert "withdrawal-form" not in us  # no EU right of withdrawal there

    def test_a_page_shows_the_market_text_marked_as_a_template_with_the_platform_identity(self, client, settings):
        settings.RELOOP_OPERATOR = {"operator_name": "Circulaire SAS", "operator_address": "1 rue de la Paix, Paris"}
        response = client.get("/fr-fr/legal/legal-notice/")
        assert response.status_code == 200
        body = response.content.decode()
        assert "Mentions légales" in body
        assert "Circulaire SAS" in body
        assert "1 rue de la Paix, Paris" in body
        assert "[à compléter : RELOOP_OPERATOR_VAT_ID]" in body  # a missing mention shows, never hides
        assert '<p class="notice warning" role="note">' in body  # "the default text shipped with Reloop"
        assert LegalVersion.objects.get().from_template

    def test_an_unknown_document_or_one_the_market_lacks_is_404(self, client):
        assert client.get("/fr-fr/legal/nothing/").status_code == 404
        assert client.get("/en-us/legal/withdrawal-form/").status_code == 404

    def test_the_page_reads_a_constant_number_of_queries(self, client):
        client.get("/de-de/legal/privacy/")  # publishes the default version once
        few, _ = queries_for(client, "/de-de/legal/privacy/")
        operator = staff_with()
        for _ in range(9):
            draft = services.start_draft(actor=operator, market="de-de", kind=domain.PRIVACY)
            services.publish_draft(actor=operator, version_id=draft.pk)
        many, response = queries_for(client, "/de-de/legal/privacy/")
        assert few == many
        assert b"Fassung 10," in response.content


class TestSignUp:
    def test_sign_up_records_the_terms_version_accepted_and_refuses_without_it(self, client):
        data = {"first_name": "Ann", "email": "ann@example.com", "password": "correct-horse-battery-staple"}
        response = client.post("/en-gb/account/sign-up/", data)
        assert response.status_code == 200
        assert b"Accept the terms of use" in response.content
        assert TermsAcceptance.objects.count() == 0
        response = client.post("/en-gb/account/sign-up/", {**data, "accept_terms": "on"})
        assert response.status_code == 302
        acceptance = TermsAcceptance.objects.get()
        assert (acceptance.user.email, acceptance.context) == ("ann@example.com", "signup")
        assert (acceptance.version.market, acceptance.version.kind, acceptance.version.number) == (
            "en-gb",
            domain.TERMS_OF_USE,
            1,
        )


def notice_post(**changes):
    data = {
        "category": "stolen",
        "listing_url": "http://testserver/en-gb/p/iphone-13/",
        "explanation": "The IMEI in the photos is reported stolen in our shop.",
        "reporter_name": "Ann",
        "reporter_email": "ann@example.com",
        "good_faith": "on",
        "submission_key": "form-key-1",
    }
    return {**data, **changes}


class TestNoticeForm:
    def test_anyone_reports_a_listing_and_gets_a_receipt(self, client, django_capture_on_commit_callbacks):
        page = client.get("/en-gb/report-illegal-content/?url=http://testserver/en-gb/p/x/&offer=12")
        assert page.status_code == 200
        assert b'name="submission_key"' in page.content
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/en-gb/report-illegal-content/", notice_post())
        assert response.status_code == 302
        notice = NoticeReport.objects.get()
        assert response["Location"].endswith(f"?ref={notice.reference}&key=form-key-1")
        sent = client.get(response["Location"])
        assert notice.reference.encode() in sent.content
        assert len(mail.outbox) == 1
        # Sending the same form again (a double click, a retry) changes nothing.
        client.post("/en-gb/report-illegal-content/", notice_post())
        assert NoticeReport.objects.count() == 1
        assert len(mail.outbox) == 1

    def test_the_report_link_of_a_product_page_prefills_the_listing(self, client):
        product = "http://testserver/en-gb/p/iphone-13/iphone-13-128gb/"
        page = client.get("/en-gb/report-illegal-content/?offer=42", headers={"referer": product}).content.decode()
        assert f'value="{product}"' in page
        assert 'name="offer" value="42"' in page
        elsewhere = client.get("/en-gb/report-illegal-content/", headers={"referer": "https://evil.example/x"})
        assert b"evil.example" not in elsewhere.content

    def test_a_notice_missing_elements_is_shown_again_with_its_errors(self, client):
        response = client.post(
            "/en-gb/report-illegal-content/", notice_post(good_faith="", listing_url="https://elsewhere.example/x")
        )
        assert response.status_code == 200
        assert b"Give the full address (URL) of the listing on this site." in response.content
        assert NoticeReport.objects.count() == 0

    def test_the_receipt_page_needs_the_submission_key(self, client):
        client.post("/en-gb/report-illegal-content/", notice_post())
        notice = NoticeReport.objects.get()
        assert client.get(f"/en-gb/report-illegal-content/sent/?ref={notice.reference}&key=guess").status_code == 404


NOTICES = "/operator/notices/"


class TestOperatorNotices:
    def test_anonymous_is_sent_to_the_admin_sign_in(self, client):
        response = client.get(NOTICES)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")

    @pytest.mark.parametrize(
        "who",
        [
            lambda: UserFactory(),  # a buyer
            lambda: staff_with(),  # staff without the permission
            lambda: UserFactory(is_staff=False),
        ],
    )
    def test_people_without_the_permission_get_403(self, client, who):
        client.force_login(who())
        assert client.get(NOTICES).status_code == 403

    def test_the_operator_sees_the_report_and_decides_it(self, client, django_capture_on_commit_callbacks):
        client.post("/en-gb/report-illegal-content/", notice_post())
        notice = NoticeReport.objects.get()
        reader = staff_with("view_noticereport")
        client.force_login(reader)
        queue = client.get(NOTICES)
        assert notice.reference.encode() in queue.content
        detail = client.get(f"{NOTICES}{notice.pk}/")
        assert b"reported stolen" in detail.content
        assert b"Record the decision" not in detail.content
        refused = client.post(f"{NOTICES}{notice.pk}/", {"decision": "removed", "reason": "Stolen, confirmed."})
        assert refused.status_code == 403
        client.force_login(staff_with("view_noticereport", "decide_noticereport"))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"{NOTICES}{notice.pk}/", {"decision": "no_action", "reason": "The IMEI is not on any blocklist."}
            )
        assert response.status_code == 302
        notice.refresh_from_db()
        assert (notice.status, notice.decision) == ("decided", "no_action")
        assert "The IMEI is not on any blocklist." in mail.outbox[-1].body
        assert notice.reference.encode() not in client.get(NOTICES).content  # out of the queue
        assert notice.reference.encode() in client.get(f"{NOTICES}?status=decided").content

    def test_the_queue_reads_the_same_queries_for_1_and_10_notices(self, client):
        client.force_login(staff_with("view_noticereport"))
        client.post("/en-gb/report-illegal-content/", notice_post(submission_key="k0"))
        one, _ = queries_for(client, NOTICES)
        for n in range(1, 10):
            client.post("/en-gb/report-illegal-content/", notice_post(submission_key=f"k{n}"))
        ten, response = queries_for(client, NOTICES)
        assert one == ten
        assert response.content.count(b"data-notice=") == 10


LEGAL = "/operator/legal/"


class TestOperatorTexts:
    def test_only_staff_with_the_permission_see_the_texts(self, client):
        assert client.get(LEGAL).status_code == 302
        client.force_login(staff_with())
        assert client.get(LEGAL).status_code == 403
        client.force_login(staff_with("view_legalversion"))
        assert client.get(LEGAL).status_code == 200
        assert client.post("/operator/legal/fr-fr/privacy/draft/").status_code == 403

    def test_an_editor_writes_and_publishes_a_version_and_the_published_one_stays_as_it_was(self, client):
        client.force_login(staff_with("view_legalversion", "change_legalversion"))
        v1 = services.current_version(market="fr-fr", kind=domain.PRIVACY)
        response = client.post("/operator/legal/fr-fr/privacy/draft/")
        draft = LegalVersion.objects.get(status="draft")
        assert response["Location"] == f"/operator/legal/versions/{draft.pk}/"
        client.post(
            f"/operator/legal/versions/{draft.pk}/",
            {"title": "Confidentialité", "body": "## Nouveau\n\nTexte revu.", "change_note": "Relu"},
        )
        client.post(f"/operator/legal/versions/{draft.pk}/publish/")
        assert services.current_version(market="fr-fr", kind=domain.PRIVACY).pk == draft.pk
        page = client.get("/fr-fr/legal/privacy/").content.decode()
        assert "Texte revu." in page
        assert 'role="note"' not in page
        # The published version cannot be edited through the page.
        response = client.post(
            f"/operator/legal/versions/{v1.pk}/", {"title": "Hacked", "body": "Hacked", "change_note": ""}
        )
        assert response.status_code == 409
        v1.refresh_from_db()
        assert v1.title != "Hacked"

    def test_the_overview_reads_the_same_queries_whatever_the_versions(self, client):
        client.force_login(staff_with("view_legalversion"))
        one, _ = queries_for(client, LEGAL)
        for code in ("fr-fr", "de-de", "en-gb"):
            for kind in domain.KINDS:
                services.current_version(market=code, kind=kind)
        many, _ = queries_for(client, LEGAL)
        assert one == many


class TestCheckout:
    def test_paying_records_the_terms_of_sale_version_with_the_order(self, client):
        from reloop.catalog.tests.factories import VariantFactory
        from reloop.offers.tests.factories import make_offer
        from reloop.sellers.tests.factories import SellerFactory

        offer = make_offer(seller=SellerFactory(), variant=VariantFactory())
        buyer = UserFactory()
        client.force_login(buyer)
        client.post("/en-gb/cart/add/", {"offer": offer.pk, "quantity": 1})
        page = client.get("/en-gb/checkout/").content.decode()
        assert 'href="/en-gb/legal/terms-of-sale/"' in page
        assert 'href="/en-gb/legal/withdrawal-form/"' in page
        key = page.split('name="idempotency_key" value="')[1].split('"')[0]
        form = {
            "country": "GB",
            "form_country": "GB",
            "full_name": "Ada Lovelace",
            "line1": "1 Road",
            "postal_code": "SW1A 1AA",
            "city": "London",
            "idempotency_key": key,
        }
        refused = client.post("/en-gb/checkout/", form)
        assert refused.status_code == 200
        assert b"Accept the terms of sale to pay." in refused.content
        assert TermsAcceptance.objects.count() == 0
        response = client.post("/en-gb/checkout/", {**form, "accept_terms": "on"})
        assert response.status_code == 302
        acceptance = TermsAcceptance.objects.get()
        assert (acceptance.user, acceptance.context, acceptance.version.kind) == (buyer, "checkout", "terms-of-sale")
        assert acceptance.reference.startswith("RL-")
