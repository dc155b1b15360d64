"""Who enters the seller back office: members of a seller only; its menu lists only the areas a role may use."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reloop.accounts.tests.factories import UserFactory
from reloop.sellers.models import MemberRole
from reloop.sellers.tests.factories import SellerMemberFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("seller:dashboard"))
    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]
    assert "next=/seller/" in response["Location"]


def test_a_buyer_gets_403_with_a_way_to_apply(client):
    client.force_login(UserFactory())
    response = client.get(reverse("seller:dashboard"))
    assert response.status_code == 403
    assert b"does not belong to a seller" in response.content


@pytest.mark.parametrize("role", [MemberRole.OWNER, MemberRole.STAFF])
def test_a_member_sees_their_own_seller(client, role):
    member = SellerMemberFactory(role=role)
    SellerMemberFactory(seller__name="Someone Else")
    client.force_login(member.user)
    response = client.get(reverse("seller:dashboard"))
    assert response.status_code == 200
    assert member.seller.name.encode() in response.content
    assert b"Someone Else" not in response.content
