"""The operator's email log and previews: who may read them, what they show, constant queries."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from reloop.accounts.models import User
from reloop.accounts.tests.factories import UserFactory
from reloop.invoicing.services import issue_invoices
from reloop.invoicing.tests.factories import Item, offer_of, paid_order, trader
from reloop.notifications.models import Message
from reloop.notifications.services import queue_email
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db


def support(client: Client) -> Any:
    user = cast(User, UserFactory(is_staff=True))
    user.user_permissions.add(Permission.objects.get(codename="view_message"))
    client.force_login(user)
    return user


_sellers = iter(range(1000))


def record(n: int) -> None:
    for _ in range(n):
        i = next(_sellers)
        queue_email(
            to=f"buyer{i}@example.com", template="invoicing/email/order_confirmation", language="en-gb",
            about=("order", f"RL-{i}"),
            context={"order": paid_order(market="en-gb", items=[Item(offer_of(trader(name=f"S{i}")), 1000)]),
                     "parts": [], "invoices": [], "link": ""},
        )  # fmt: skip


def test_only_staff_with_the_permission_read_the_log(client: Client) -> None:
    url = reverse("operator:emails")
    assert client.get(url).status_code == 302
    client.force_login(cast(User, UserFactory(is_staff=True)))
    assert client.get(url).status_code == 403
    client.force_login(cast(User, UserFactory()))
    assert client.get(url).status_code == 403
    support(client)
    assert client.get(url).status_code == 200


def test_the_log_finds_a_message_and_shows_it_as_sent(client: Client) -> None:
    record(2)
    support(client)
    page = client.get(reverse("operator:emails"), {"to": "buyer1@example.com"}).content.decode()
    assert "buyer1@example.com" in page
    assert "buyer0@example.com" not in page
    message = Message.objects.get(to="buyer1@example.com")
    detail = client.get(reverse("operator:email", args=[message.pk])).content.decode()
    assert message.subject in detail
    html = client.get(reverse("operator:email_html", args=[message.pk]))
    assert html["Content-Security-Policy"].startswith("default-src 'none'")
    assert message.subject in html.content.decode()


def test_the_log_costs_the_same_for_1_and_10_messages(client: Client) -> None:
    support(client)
    record(1)
    one, response = queries_for(client, reverse("operator:emails"))
    assert response.status_code == 200  # type: ignore[attr-defined]
    record(9)
    ten, _response = queries_for(client, reverse("operator:emails"))
    assert Message.objects.count() == 10
    assert one == ten  # session, user, permission check, the messages: one query for the rows, whatever their count


def test_previews_render_the_latest_order_in_the_chosen_language(client: Client) -> None:
    order = paid_order(market="en-gb", items=[Item(offer_of(trader()), 1000)])
    issue_invoices(order_id=order.pk)
    support(client)
    page = client.get(
        reverse("operator:email_preview", args=["invoicing/email/order_confirmation"]), {"market": "de-de"}
    ).content.decode()
    assert f"Ihre Bestellung {order.number} ist bestätigt" in page
    seller_page = client.get(reverse("operator:email_preview", args=["invoicing/email/new_seller_order"]))
    assert (
        f"New order {order.number}" in seller_page.content.decode()
        or "Nouvelle commande" in seller_page.content.decode()
    )
    assert client.get(reverse("operator:email_preview", args=["nope/x"])).status_code == 404
    assert not Message.objects.exists()  # a preview sends and records nothing
