"""Seller back office for returns and claims: queues, one case and its actions, who may see what (another seller's
case is a 404), and constant query counts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from reloop.accounts.tests.factories import UserFactory
from reloop.aftersales import services
from reloop.aftersales.models import Case
from reloop.aftersales.tests.factories import JPEG, delivered_line, photo
from reloop.orders.domain import LineState
from reloop.orders.models import OrderLine
from reloop.payments.checks import failed, run_checks
from reloop.payments.models import TestRefund
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db
LIST = "/seller/returns/"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_case(sale, **kwargs):
    fields = {"reason": "defective", "description": "Dead pixel.", "photos": [photo(JPEG)]} | kwargs
    return services.open_return(actor=sale.buyer, line_id=sale.line.pk, **fields)


def case_url(case) -> str:
    return reverse("seller:case", kwargs={"case_id": case.pk})


class TestAccess:
    def test_anonymous_visitors_sign_in_and_non_members_get_403(self, client):
        assert client.get(LIST).status_code == 302
        client.force_login(UserFactory.create())
        assert client.get(LIST).status_code == 403

    def test_seller_a_never_sees_seller_b_s_cases(self, client):
        a, b = delivered_line(), delivered_line()
        case_a, case_b = make_case(a), make_case(b)
        client.force_login(b.seller_user)
        page = client.get(LIST).content.decode()
        assert case_url(case_b) in page
        assert case_url(case_a) not in page
        assert client.get(case_url(case_a)).status_code == 404
        assert client.post(case_url(case_a), {"action": "receive"}).status_code == 404
        photo_a = reverse("seller:case_photo", kwargs={"case_id": case_a.pk, "photo_id": case_a.photos.get().pk})
        assert client.get(photo_a).status_code == 404
        assert Case.objects.get(pk=case_a.pk).state == "opened"

    def test_the_buyer_of_the_case_is_not_a_seller(self, client):
        sale = delivered_line()
        case = make_case(sale)
        client.force_login(sale.buyer)
        assert client.get(case_url(case)).status_code == 403

    def test_the_seller_sees_the_photo(self, client):
        sale = delivered_line()
        case = make_case(sale)
        client.force_login(sale.seller_user)
        url = reverse("seller:case_photo", kwargs={"case_id": case.pk, "photo_id": case.photos.get().pk})
        response = client.get(url)
        assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
        assert response.content == JPEG

    def test_the_menu_has_returns_and_claims(self, client):
        sale = delivered_line()
        client.force_login(sale.seller_user)
        assert f'href="{LIST}"' in client.get("/seller/").content.decode()


class TestQueues:
    def test_queues_count_and_filter(self, client):
        sale = delivered_line()
        opened = make_case(sale)
        other = delivered_line(seller=sale.seller)
        answered = make_case(other)
        services.answer_case(actor=sale.seller_user, case_id=answered.pk, answer="accept", note="Label inside.")
        client.force_login(sale.seller_user)
        page = client.get(LIST + "?queue=to_answer").content.decode()
        assert case_url(opened) in page
        assert case_url(answered) not in page
        page = client.get(LIST + "?queue=to_receive").content.decode()
        assert case_url(answered) in page
        assert case_url(opened) not in page
        assert client.get(LIST + "?queue=nonsense").status_code == 200  # an unknown queue shows all

    def test_the_list_costs_the_same_queries_for_one_case_and_ten(self, client):
        sale = delivered_line()
        make_case(sale)
        client.force_login(sale.seller_user)
        few, _ = queries_for(client, LIST)
        for _ in range(9):
            make_case(delivered_line(seller=sale.seller))
        many, page = queries_for(client, LIST)
        assert few == many
        assert len(re.findall(r'href="/seller/returns/\d+/"', page.content.decode())) == 10


class TestActions:
    def test_answer_receive_and_refund_in_part(self, client):
        sale = delivered_line(price=30000)
        case = make_case(sale)
        client.force_login(sale.seller_user)
        url = case_url(case)
        assert client.post(url, {"action": "answer", "answer": "accept", "note": "Use the label."}).status_code == 302
        services.mark_shipped_back(actor=sale.buyer, case_id=case.pk, carrier="dhl", tracking_number="123456")
        assert client.post(url, {"action": "receive"}).status_code == 302
        response = client.post(url, {"action": "refund", "amount": "120.50", "note": "Scratch not reported."})
        assert response.status_code == 302
        case.refresh_from_db()
        assert (case.state, case.refund_amount, case.refund_commission) == ("resolved", 12050, 1205)
        assert OrderLine.objects.get(pk=sale.line.pk).state == LineState.REFUNDED
        assert TestRefund.objects.get().amount == 12050
        assert failed(run_checks()) == []

    @pytest.mark.parametrize("amount", ["300.01", "12.345", "-1"])
    def test_a_bad_refund_amount_is_a_form_error_and_nothing_is_refunded(self, client, amount):
        sale = delivered_line(price=30000)
        case = make_case(sale)
        client.force_login(sale.seller_user)
        response = client.post(case_url(case), {"action": "refund", "amount": amount})
        assert response.status_code == 422
        case.refresh_from_db()
        assert (case.state, case.refund_amount, TestRefund.objects.count()) == ("opened", None, 0)

    def test_a_refusal_without_a_reason_is_a_form_error(self, client):
        sale = delivered_line()
        case = make_case(sale)
        client.force_login(sale.seller_user)
        response = client.post(case_url(case), {"action": "answer", "answer": "refuse", "note": ""})
        assert response.status_code == 422
        assert Case.objects.get(pk=case.pk).state == "opened"

    def test_receipt_before_the_answer_is_refused_with_a_message(self, client):
        sale = delivered_line()
        case = make_case(sale)
        client.force_login(sale.seller_user)
        response = client.post(case_url(case), {"action": "receive"}, follow=True)
        assert "cannot become received" in response.content.decode()
        assert Case.objects.get(pk=case.pk).state == "opened"
