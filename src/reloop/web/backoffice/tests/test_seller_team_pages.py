"""The team, invitation and API-key pages of the seller back office: owners only, one seller never touches another's."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from reloop.accounts.tests.factories import UserFactory
from reloop.sellers.models import MemberRole, SellerInvitation, SellerMember, SellerToken
from reloop.sellers.services import create_seller_token
from reloop.sellers.tests.factories import SellerMemberFactory
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return SellerMemberFactory(role=MemberRole.OWNER, user__email="owner@a.example")


def invite(client, email="new@a.example", role=MemberRole.STAFF, *, execute):
    with execute(execute=True):
        response = client.post(reverse("seller:team"), {"email": email, "role": role})
    return response


def link_in_last_mail():
    return re.search(r"http://testserver(/seller/invitations/[^/\s]+/)", mail.outbox[-1].body).group(1)


# --- Authorization matrix ---------------------------------------------------------------------------------


OWNER_PAGES = ["seller:team", "seller:api_tokens"]


@pytest.mark.parametrize("name", OWNER_PAGES)
def test_owner_pages_send_anonymous_visitors_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert f"next={reverse(name)}" in response["Location"]


@pytest.mark.parametrize("name", OWNER_PAGES)
def test_owner_pages_refuse_a_buyer_and_a_staff_member(client, name, owner):
    client.force_login(UserFactory())
    assert client.get(reverse(name)).status_code == 403
    staff = SellerMemberFactory(seller=owner.seller, role=MemberRole.STAFF)
    client.force_login(staff.user)
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert b"Only an owner" in response.content


def test_a_staff_member_cannot_post_to_owner_actions(client, owner):
    staff = SellerMemberFactory(seller=owner.seller, role=MemberRole.STAFF)
    token, _ = create_seller_token(seller=owner.seller, name="sync")
    client.force_login(staff.user)

    answers = [
        client.post(reverse("seller:team"), {"email": "x@a.example", "role": "owner"}).status_code,
        client.post(reverse("seller:member_role", args=[staff.pk]), {"role": "owner"}).status_code,
        client.post(reverse("seller:member_remove", args=[owner.pk])).status_code,
        client.post(reverse("seller:api_tokens"), {"name": "mine"}).status_code,
        client.post(reverse("seller:api_token_revoke", args=[token.pk])).status_code,
    ]

    assert answers == [403] * 5
    assert SellerInvitation.objects.count() == 0
    assert dict(SellerMember.objects.values_list("pk", "role")) == {owner.pk: "owner", staff.pk: "staff"}
    assert SellerToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_seller_a_cannot_touch_seller_b_members_invitations_or_keys(client, owner, django_capture_on_commit_callbacks):
    other = SellerMemberFactory(role=MemberRole.OWNER, user__email="owner@b.example")
    other_staff = SellerMemberFactory(seller=other.seller, role=MemberRole.STAFF)
    other_token, _ = create_seller_token(seller=other.seller, name="theirs")
    client.force_login(other.user)
    invite(client, "someone@b.example", execute=django_capture_on_commit_callbacks)
    their_invitation = SellerInvitation.objects.get()
    client.force_login(owner.user)

    answers = [
        client.post(reverse("seller:member_role", args=[other_staff.pk]), {"role": "owner"}).status_code,
        client.post(reverse("seller:member_remove", args=[other_staff.pk])).status_code,
        client.post(reverse("seller:invitation_revoke", args=[their_invitation.pk])).status_code,
        client.post(reverse("seller:api_token_revoke", args=[other_token.pk])).status_code,
    ]
    team_page = client.get(reverse("seller:team"))
    tokens_page = client.get(reverse("seller:api_tokens"))

    assert answers == [404] * 4
    assert SellerMember.objects.get(pk=other_staff.pk).role == MemberRole.STAFF
    assert SellerInvitation.objects.get().revoked_at is None
    assert SellerToken.objects.get(pk=other_token.pk).revoked_at is None
    assert b"owner@b.example" not in team_page.content
    assert b"someone@b.example" not in team_page.content
    assert b"theirs" not in tokens_page.content


# --- Team -------------------------------------------------------------------------------------------------


def test_an_owner_invites_and_the_invitee_joins_with_the_role(client, owner, django_capture_on_commit_callbacks):
    client.force_login(owner.user)
    response = invite(client, "New@A.example", MemberRole.STAFF, execute=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["new@a.example"]]
    link = link_in_last_mail()
    invitation = SellerInvitation.objects.get()
    assert invitation.token_hash not in mail.outbox[0].body  # only the hash is stored; the link has the token
    invitee = UserFactory(email="new@a.example")
    client.force_login(invitee)

    page = client.get(link)
    joined = client.post(link)
    replay = client.post(link)

    assert owner.seller.name.encode() in page.content
    assert joined.status_code == 302
    assert joined["Location"] == reverse("seller:dashboard")
    assert replay.status_code == 302  # the same person clicking twice is fine
    member = SellerMember.objects.get(user=invitee)
    assert (member.seller, member.role) == (owner.seller, MemberRole.STAFF)


def test_an_invitation_for_another_address_is_refused(client, owner, django_capture_on_commit_callbacks):
    client.force_login(owner.user)
    invite(client, "new@a.example", execute=django_capture_on_commit_callbacks)
    link = link_in_last_mail()
    client.force_login(UserFactory(email="intruder@x.example"))

    response = client.post(link)

    assert response.status_code == 409
    assert b"sent to new@a.example" in response.content
    assert not SellerMember.objects.filter(user__email="intruder@x.example").exists()
    assert SellerInvitation.objects.get().accepted_at is None


def test_a_used_invitation_cannot_be_used_by_someone_else(client, owner, django_capture_on_commit_callbacks):
    client.force_login(owner.user)
    invite(client, "new@a.example", execute=django_capture_on_commit_callbacks)
    link = link_in_last_mail()
    client.force_login(UserFactory(email="new@a.example"))
    client.post(link)
    # Someone who changed their address to the invited one after it was used.
    SellerMember.objects.filter(user__email="new@a.example").delete()
    second = UserFactory(email="other@a.example")
    client.force_login(second)

    response = client.post(link)

    assert response.status_code == 409
    assert b"already used" in response.content
    assert not SellerMember.objects.filter(user=second).exists()


def test_an_expired_invitation_is_refused(client, owner, django_capture_on_commit_callbacks, monkeypatch):
    client.force_login(owner.user)
    invite(client, "new@a.example", execute=django_capture_on_commit_callbacks)
    link = link_in_last_mail()
    invitation = SellerInvitation.objects.get()
    later = invitation.expires_at + dt.timedelta(seconds=1)
    monkeypatch.setattr("reloop.core.clock.now", lambda: later)
    client.force_login(UserFactory(email="new@a.example"))

    response = client.post(link)

    assert response.status_code == 409
    assert b"expired" in response.content
    assert SellerMember.objects.filter(seller=owner.seller).count() == 1


def test_a_revoked_invitation_is_refused(client, owner, django_capture_on_commit_callbacks):
    client.force_login(owner.user)
    invite(client, "new@a.example", execute=django_capture_on_commit_callbacks)
    link = link_in_last_mail()
    invitation = SellerInvitation.objects.get()
    client.post(reverse("seller:invitation_revoke", args=[invitation.pk]))
    client.force_login(UserFactory(email="new@a.example"))

    response = client.post(link)

    assert response.status_code == 409
    assert b"withdrawn" in response.content
    assert SellerMember.objects.filter(seller=owner.seller).count() == 1


def test_an_unknown_link_is_404_and_anonymous_visitors_sign_in_first(client):
    url = reverse("seller:invitation", args=["not-a-token"])
    assert "next=" in client.get(url)["Location"]
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_inviting_a_bad_address_or_a_member_is_a_form_error(client, owner, django_capture_on_commit_callbacks):
    client.force_login(owner.user)
    bad = invite(client, "not-an-email", execute=django_capture_on_commit_callbacks)
    member = invite(client, "owner@a.example", execute=django_capture_on_commit_callbacks)
    assert (bad.status_code, member.status_code) == (422, 422)
    assert b"already in your team" in member.content
    assert SellerInvitation.objects.count() == 0
    assert mail.outbox == []


def test_roles_change_but_the_last_owner_stays(client, owner):
    staff = SellerMemberFactory(seller=owner.seller, role=MemberRole.STAFF)
    client.force_login(owner.user)

    demote_self = client.post(reverse("seller:member_role", args=[owner.pk]), {"role": "staff"}, follow=True)
    leave = client.post(reverse("seller:member_remove", args=[owner.pk]), follow=True)
    assert b"needs at least one owner" in demote_self.content
    assert b"needs at least one owner" in leave.content
    assert SellerMember.objects.get(pk=owner.pk).role == MemberRole.OWNER

    client.post(reverse("seller:member_role", args=[staff.pk]), {"role": "owner"})
    client.post(reverse("seller:member_role", args=[owner.pk]), {"role": "staff"})
    client.force_login(staff.user)
    client.post(reverse("seller:member_remove", args=[owner.pk]))

    assert list(SellerMember.objects.filter(seller=owner.seller).values_list("pk", "role")) == [(staff.pk, "owner")]


def test_the_team_page_runs_the_same_queries_for_1_and_10_members(client, owner, django_capture_on_commit_callbacks):
    client.force_login(owner.user)
    invite(client, "i0@a.example", execute=django_capture_on_commit_callbacks)
    one, _ = queries_for(client, reverse("seller:team"))
    SellerMemberFactory.create_batch(9, seller=owner.seller, role=MemberRole.STAFF)
    for n in range(1, 10):
        invite(client, f"i{n}@a.example", execute=django_capture_on_commit_callbacks)
    ten, response = queries_for(client, reverse("seller:team"))
    assert response.content.count(b"data-member=") == 10
    assert response.content.count(b"data-invitation=") == 10
    # session, user, membership with seller, members with users, open invitations with their senders
    assert one == ten


# --- API keys ---------------------------------------------------------------------------------------------


def test_a_new_key_is_shown_once_then_only_its_prefix(client, owner):
    client.force_login(owner.user)

    created = client.post(reverse("seller:api_tokens"), {"name": "stock sync"})
    key = re.search(rb'id="new-key"[^>]*value="(rlp_[^"]+)"', created.content).group(1).decode()
    listed = client.get(reverse("seller:api_tokens"))

    token = SellerToken.objects.get()
    assert (token.seller, token.name) == (owner.seller, "stock sync")
    assert created["Cache-Control"] == "no-store"
    assert key.startswith(f"rlp_{token.key_prefix}_")
    assert key.encode() not in listed.content
    assert f"rlp_{token.key_prefix}_".encode() in listed.content


def test_an_empty_key_name_is_a_form_error(client, owner):
    client.force_login(owner.user)
    response = client.post(reverse("seller:api_tokens"), {"name": "  "})
    assert response.status_code == 422
    assert SellerToken.objects.count() == 0


def test_revoking_a_key_is_shown_and_idempotent(client, owner):
    token, _ = create_seller_token(seller=owner.seller, name="erp")
    client.force_login(owner.user)
    client.post(reverse("seller:api_token_revoke", args=[token.pk]))
    again = client.post(reverse("seller:api_token_revoke", args=[token.pk]))
    page = client.get(reverse("seller:api_tokens"))
    assert again.status_code == 302
    assert SellerToken.objects.get().revoked_at is not None
    assert b"Revoked" in page.content


def test_the_keys_page_runs_the_same_queries_for_1_and_10_keys(client, owner):
    client.force_login(owner.user)
    create_seller_token(seller=owner.seller, name="k0")
    one, _ = queries_for(client, reverse("seller:api_tokens"))
    for n in range(1, 10):
        create_seller_token(seller=owner.seller, name=f"k{n}")
    ten, response = queries_for(client, reverse("seller:api_tokens"))
    assert response.content.count(b"data-token=") == 10
    assert one == ten  # session, user, membership with seller, keys


def test_the_menu_shows_team_and_keys_to_owners_only(client, owner):
    staff = SellerMemberFactory(seller=owner.seller, role=MemberRole.STAFF)
    client.force_login(owner.user)
    as_owner = client.get(reverse("seller:dashboard")).content
    client.force_login(staff.user)
    as_staff = client.get(reverse("seller:dashboard")).content
    assert reverse("seller:team").encode() in as_owner
    assert reverse("seller:api_tokens").encode() in as_owner
    assert reverse("seller:team").encode() not in as_staff
    assert reverse("seller:api_tokens").encode() not in as_staff


def test_an_owner_who_leaves_while_another_owner_stays_goes_back_to_the_shop(client, owner):
    other_owner = SellerMemberFactory(seller=owner.seller, role=MemberRole.OWNER)
    client.force_login(owner.user)

    response = client.post(reverse("seller:member_remove", args=[owner.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert list(SellerMember.objects.filter(seller=owner.seller).values_list("pk", flat=True)) == [other_owner.pk]
