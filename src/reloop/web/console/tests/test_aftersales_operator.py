"""Operator after-sales pages: escalated cases and all, one case and the decision; who may see and decide, and
constant query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from reloop.accounts.tests.factories import UserFactory
from reloop.aftersales import services
from reloop.aftersales.models import Case
from reloop.aftersales.tests.factories import JPEG, delivered_line, photo
from reloop.payments.checks import failed, run_checks
from reloop.payments.models import TestRefund
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db
LIST = "/operator/cases/"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def staff(*codenames, is_staff=True):
    person = UserFactory.create(is_staff=is_staff)
    person.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="aftersales", codename__in=codenames)
    )
    return person


def escalated_case():
    sale = delivered_line()
    case = services.open_return(
        actor=sale.buyer, line_id=sale.line.pk, reason="defective", description="Dead.", photos=[photo(JPEG)]
    )
    services.escalate_overdue_cases(now=case.answer_due_at + dt.timedelta(minutes=1))
    return sale, Case.objects.get(pk=case.pk)


def case_url(case):
    return reverse("operator:case", kwargs={"case_id": case.pk})


class TestAccess:
    def test_anonymous_visitors_go_to_the_admin_sign_in(self, client):
        _, case = escalated_case()
        for url in (LIST, case_url(case)):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith("/admin/login/")

    @pytest.mark.parametrize(
        "who",
        [
            {"codenames": (), "is_staff": False},  # a buyer
            {"codenames": ("view_case",), "is_staff": False},  # the permission alone is not enough
            {"codenames": (), "is_staff": True},  # staff without the permission
        ],
    )
    def test_others_get_403(self, client, who):
        _, case = escalated_case()
        client.force_login(staff(*who["codenames"], is_staff=who["is_staff"]))
        assert client.get(LIST).status_code == 403
        assert client.get(case_url(case)).status_code == 403
        photo_url = reverse("operator:case_photo", kwargs={"case_id": case.pk, "photo_id": case.photos.get().pk})
        assert client.get(photo_url).status_code == 403

    def test_a_seller_member_is_not_an_operator(self, client):
        sale, case = escalated_case()
        client.force_login(sale.seller_user)
        assert client.get(case_url(case)).status_code == 403

    def test_viewers_read_but_cannot_decide(self, client):
        _, case = escalated_case()
        client.force_login(staff("view_case"))
        page = client.get(case_url(case))
        assert page.status_code == 200
        assert "Record the decision" not in page.content.decode()
        photo = client.get(
            reverse("operator:case_photo", kwargs={"case_id": case.pk, "photo_id": case.photos.get().pk})
        )
        assert (photo.status_code, photo.content) == (200, JPEG)
        response = client.post(case_url(case), {"action": "decide", "decision": "close", "note": "x"})
        assert response.status_code == 403
        assert Case.objects.get(pk=case.pk).state == "escalated"

    def test_a_missing_case_is_404(self, client):
        client.force_login(staff("view_case"))
        assert client.get(reverse("operator:case", kwargs={"case_id": 999999})).status_code == 404


class TestDecisions:
    def test_a_refund_at_the_seller_s_expense(self, client):
        _, case = escalated_case()
        client.force_login(staff("view_case", "change_case"))
        response = client.post(
            case_url(case), {"action": "decide", "decision": "refund", "amount": "", "note": "Unanswered for days."}
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert (case.state, case.resolution, case.refund_amount) == ("resolved", "refunded", 30000)
        assert TestRefund.objects.get().amount == 30000
        assert failed(run_checks()) == []

    def test_closing_needs_a_reason(self, client):
        _, case = escalated_case()
        client.force_login(staff("view_case", "change_case"))
        response = client.post(case_url(case), {"action": "decide", "decision": "close", "note": ""})
        assert response.status_code == 422
        assert Case.objects.get(pk=case.pk).state == "escalated"
        response = client.post(case_url(case), {"action": "decide", "decision": "close", "note": "Buyer kept it."})
        assert response.status_code == 302
        assert Case.objects.get(pk=case.pk).state == "closed"


class TestList:
    def test_escalated_first_and_all_on_demand(self, client):
        _, escalated = escalated_case()
        sale = delivered_line()
        opened = services.open_return(actor=sale.buyer, line_id=sale.line.pk, reason="other", description="x")
        client.force_login(staff("view_case"))
        page = client.get(LIST).content.decode()
        assert case_url(escalated) in page
        assert case_url(opened) not in page
        page = client.get(LIST + "?queue=all").content.decode()
        assert case_url(escalated) in page
        assert case_url(opened) in page

    def test_the_list_costs_the_same_queries_for_one_case_and_ten(self, client):
        escalated_case()
        client.force_login(staff("view_case"))
        few, _ = queries_for(client, LIST)
        for _ in range(9):
            escalated_case()
        many, page = queries_for(client, LIST)
        assert few == many
        assert len(re.findall(r'href="/operator/cases/\d+/"', page.content.decode())) == 10


def test_the_admin_shows_cases_read_only(client):
    _, case = escalated_case()
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    assert client.get("/admin/aftersales/case/").status_code == 200
    page = client.get(f"/admin/aftersales/case/{case.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # read-only: changes go through the services
