"""Buyer after-sales pages: the order page's "Return or claim" links, opening a case with photos, the case page
and its actions, the photo view, who may see what, and constant query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reloop.accounts.tests.factories import UserFactory
from reloop.aftersales import services
from reloop.aftersales.models import Case, CasePhoto
from reloop.aftersales.tests.factories import JPEG, PDF, delivered_line, photo, upload
from reloop.orders.domain import LineState
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def open_url(sale, kind="return"):
    return reverse("web:case_open", kwargs={"number": sale.order.number, "line_id": sale.line.pk}) + f"?kind={kind}"


def make_case(sale, **kwargs):
    fields = {"reason": "defective", "description": "The screen flickers.", "photos": [photo(JPEG)]} | kwargs
    return services.open_return(actor=sale.buyer, line_id=sale.line.pk, **fields)


class TestOrderPage:
    def test_a_delivered_line_offers_a_return_and_a_warranty_claim(self, client):
        sale = delivered_line()
        client.force_login(sale.buyer)
        page = client.get(reverse("web:order", kwargs={"number": sale.order.number})).content.decode()
        assert open_url(sale, "return") in page
        assert open_url(sale, "warranty") in page

    def test_a_line_with_an_open_case_links_to_it_instead(self, client):
        sale = delivered_line()
        case = make_case(sale)
        client.force_login(sale.buyer)
        page = client.get(reverse("web:order", kwargs={"number": sale.order.number})).content.decode()
        assert reverse("web:case", kwargs={"case_id": case.pk}) in page
        assert "Return it" not in page

    def test_a_line_not_delivered_offers_nothing(self, client):
        sale = delivered_line(state=LineState.SHIPPED)
        client.force_login(sale.buyer)
        page = client.get(reverse("web:order", kwargs={"number": sale.order.number})).content.decode()
        assert "Return or claim" not in page

    def test_the_order_page_costs_the_same_queries_for_one_line_and_ten(self, client):
        one, ten = delivered_line(lines=1), delivered_line(lines=10)
        make_case(one)
        services.open_return(actor=ten.buyer, line_id=ten.lines[3].pk, reason="other", description="x")
        client.force_login(one.buyer)
        few, _ = queries_for(client, reverse("web:order", kwargs={"number": one.order.number}))
        client.force_login(ten.buyer)
        many, page = queries_for(client, reverse("web:order", kwargs={"number": ten.order.number}))
        assert few == many
        assert page.content.decode().count("Return it") == 9


class TestOpening:
    def test_the_buyer_opens_a_return_with_photos_and_lands_on_the_case(self, client):
        sale = delivered_line()
        client.force_login(sale.buyer)
        assert client.get(open_url(sale)).status_code == 200
        response = client.post(
            open_url(sale),
            {"kind": "return", "reason": "change_of_mind", "description": "Too big.", "photos": [upload(JPEG)]},
        )
        case = Case.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("web:case", kwargs={"case_id": case.pk})
        assert (case.kind, case.reason, case.photos.count()) == ("return", "change_of_mind", 1)

    def test_a_pdf_named_jpg_is_a_form_error_and_nothing_is_opened(self, client):
        sale = delivered_line()
        client.force_login(sale.buyer)
        response = client.post(
            open_url(sale),
            {"kind": "return", "reason": "defective", "description": "x", "photos": [upload(PDF, "scan.jpg")]},
        )
        assert response.status_code == 422
        assert "scan.jpg is not a JPEG, PNG or WebP image." in response.content.decode()
        assert (Case.objects.count(), CasePhoto.objects.count()) == (0, 0)

    def test_missing_fields_are_form_errors(self, client):
        sale = delivered_line()
        client.force_login(sale.buyer)
        response = client.post(open_url(sale), {"kind": "return"})
        assert response.status_code == 422
        assert Case.objects.count() == 0

    def test_a_warranty_claim_offers_no_change_of_mind(self, client):
        sale = delivered_line()
        client.force_login(sale.buyer)
        page = client.get(open_url(sale, "warranty")).content.decode()
        assert 'value="change_of_mind"' not in page
        assert 'value="defective"' in page

    def test_another_buyer_and_a_wrong_order_number_get_404(self, client):
        sale, other = delivered_line(), delivered_line()
        client.force_login(other.buyer)
        assert client.get(open_url(sale)).status_code == 404
        client.force_login(sale.buyer)
        wrong = reverse("web:case_open", kwargs={"number": other.order.number, "line_id": sale.line.pk})
        assert client.get(wrong).status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self, client):
        sale = delivered_line()
        response = client.get(open_url(sale))
        assert response.status_code == 302
        assert "/sign-in/" in response["Location"]


class TestCasePage:
    def test_only_the_buyer_sees_the_case(self, client):
        sale = delivered_line()
        case = make_case(sale)
        url = reverse("web:case", kwargs={"case_id": case.pk})
        assert client.get(url).status_code == 302  # anonymous → sign in
        client.force_login(UserFactory.create())
        assert client.get(url).status_code == 404
        client.force_login(sale.seller_user)  # the seller uses the back office, not the buyer's page
        assert client.get(url).status_code == 404
        client.force_login(sale.buyer)
        page = client.get(url)
        assert page.status_code == 200
        assert "The screen flickers." in page.content.decode()
        assert "(Europe/London)" in page.content.decode()  # the seller's deadline, in the market's time zone

    def test_the_buyer_ships_back_once_the_seller_accepted(self, client):
        sale = delivered_line()
        case = make_case(sale)
        services.answer_case(actor=sale.seller_user, case_id=case.pk, answer="accept", note="Label in the email.")
        client.force_login(sale.buyer)
        url = reverse("web:case", kwargs={"case_id": case.pk})
        assert "I have sent it" in client.get(url).content.decode()
        response = client.post(url, {"action": "ship_back", "carrier": "royal_mail", "tracking_number": "AB1234GB"})
        assert response.status_code == 302
        case.refresh_from_db()
        assert (case.state, case.return_carrier, case.return_tracking) == ("shipped_back", "royal_mail", "AB1234GB")

    def test_shipping_back_before_the_seller_answered_is_a_form_error(self, client):
        sale = delivered_line()
        case = make_case(sale)
        client.force_login(sale.buyer)
        url = reverse("web:case", kwargs={"case_id": case.pk})
        response = client.post(url, {"action": "ship_back", "carrier": "royal_mail", "tracking_number": "AB1234GB"})
        assert response.status_code == 422
        assert Case.objects.get(pk=case.pk).state == "opened"

    def test_a_message_and_a_dispute(self, client):
        sale = delivered_line()
        case = make_case(sale)
        services.answer_case(actor=sale.seller_user, case_id=case.pk, answer="refuse", note="Dropped.")
        client.force_login(sale.buyer)
        url = reverse("web:case", kwargs={"case_id": case.pk})
        assert client.post(url, {"action": "message", "body": "It was not."}).status_code == 302
        assert client.post(url, {"action": "dispute", "reason": "Never dropped."}).status_code == 302
        case.refresh_from_db()
        assert case.state == "escalated"
        assert list(case.messages.values_list("body", flat=True)) == ["It was not.", "Never dropped."]

    def test_an_unknown_action_is_a_400(self, client):
        sale = delivered_line()
        case = make_case(sale)
        client.force_login(sale.buyer)
        assert client.post(reverse("web:case", kwargs={"case_id": case.pk}), {"action": "refund"}).status_code == 400

    def test_the_case_list_costs_the_same_queries_for_one_case_and_ten(self, client):
        buyer = UserFactory.create()
        make_case(delivered_line(buyer=buyer))
        client.force_login(buyer)
        few, _ = queries_for(client, reverse("web:cases"))
        for _ in range(9):
            make_case(delivered_line(buyer=buyer))
        many, page = queries_for(client, reverse("web:cases"))
        assert few == many
        assert page.content.decode().count("The screen") == 0  # a list, not the descriptions
        assert Case.objects.filter(buyer=buyer).count() == 10


class TestPhotos:
    def test_a_photo_is_served_to_the_buyer_with_its_checked_type_and_never_to_strangers(self, client):
        sale, other = delivered_line(), delivered_line()
        case = make_case(sale)
        item = case.photos.get()
        url = reverse("web:case_photo", kwargs={"case_id": case.pk, "photo_id": item.pk})
        assert client.get(url).status_code == 302
        client.force_login(other.buyer)
        assert client.get(url).status_code == 404
        client.force_login(sale.buyer)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, max-age=3600"
        assert response.content == JPEG

    def test_a_photo_of_another_case_is_not_reachable_through_mine(self, client):
        sale, other = delivered_line(), delivered_line()
        mine, theirs = make_case(sale), make_case(other)
        client.force_login(sale.buyer)
        url = reverse("web:case_photo", kwargs={"case_id": mine.pk, "photo_id": theirs.photos.get().pk})
        assert client.get(url).status_code == 404
