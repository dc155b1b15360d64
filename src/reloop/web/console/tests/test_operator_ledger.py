"""The operator's ledger page: who may see it, what it shows, and its constant query count."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from reloop.core.money import Money
from reloop.payments.services import record_capture, record_refund
from reloop.payments.tests.factories import make_sale
from reloop.sellers.tests.factories import SellerFactory
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db

URL = "/operator/ledger/"


def user(django_user_model, name, *, staff=False, superuser=False, can_view_ledger=False):
    person = django_user_model.objects.create_user(
        username=name, email=f"{name}@example.com", password="unused-password", is_staff=staff, is_superuser=superuser
    )
    if can_view_ledger:
        person.user_permissions.add(Permission.objects.get(codename="view_ledgertransaction"))
    return person


@pytest.fixture
def finance(django_user_model):
    return user(django_user_model, "finance", staff=True, can_view_ledger=True)


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/operator/ledger/"


@pytest.mark.parametrize(
    "who",
    [
        {"name": "buyer"},
        {"name": "buyer-with-permission", "can_view_ledger": True},  # the permission alone is not enough
        {"name": "staff-without-permission", "staff": True},
    ],
)
def test_signed_in_users_who_are_not_finance_staff_get_403(client, django_user_model, who):
    client.force_login(user(django_user_model, **who))
    response = client.get(URL)
    assert response.status_code == 403
    assert b"psp:receivable" not in response.content


def test_an_inactive_staff_member_is_refused(client, django_user_model):
    person = user(django_user_model, "left", staff=True, can_view_ledger=True)
    client.force_login(person)
    person.is_active = False
    person.save()
    assert client.get(URL).status_code in (302, 403)  # signed out by the auth backend, or refused


@pytest.mark.parametrize("who", ["finance", "superuser"])
def test_finance_staff_and_superusers_see_the_balances_and_zero_totals(client, django_user_model, finance, who):
    seller = SellerFactory(name="Green Phones")
    reference, *_ = make_sale(sellers=[seller.pk], amounts=[30000], currency="EUR")
    record_refund(
        key="r1", reference=reference, seller_id=seller.pk, gross=Money(10000, "EUR"), commission=Money(1000, "EUR")
    )
    record_capture(key="c-jpy", reference="order:jp", amount=Money(4500, "JPY"))
    viewer = finance if who == "finance" else user(django_user_model, "root", staff=True, superuser=True)
    client.force_login(viewer)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-account="psp:receivable">€200.00<' in html  # 300.00 captured − 100.00 refunded
    assert f'data-account="seller:{seller.pk}:payable">-€180.00<' in html  # 270.00 owed − 90.00 given back
    assert 'data-account="platform:commission">-€20.00<' in html
    assert 'data-account="platform:clearing">€0.00<' in html
    assert "Green Phones" in html
    assert 'data-total="EUR">€0.00<' in html
    assert 'data-total="JPY">JP¥0<' in html
    assert "Out of balance" not in html
    assert html.count("order:") >= 4  # the latest transactions with their references
    assert "Refund of 100.00 EUR" in html


def test_the_page_runs_the_same_queries_for_1_and_10_sellers(client, finance):
    client.force_login(finance)
    make_sale(sellers=[SellerFactory().pk], amounts=[1000])
    one, _ = queries_for(client, URL)

    sellers = [SellerFactory().pk for _ in range(9)]
    for _ in range(5):
        make_sale(sellers=sellers, amounts=[1000 + i for i in range(9)], currency="GBP")
    ten, response = queries_for(client, URL)

    # session, user, permissions, navigation (cold cache), balances, transactions, postings
    assert one == ten
    assert response.content.count(b'data-account="seller:') == 10
