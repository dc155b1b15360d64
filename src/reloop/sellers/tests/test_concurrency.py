"""Races on the team and on vetting, with threads against a real database (PostgreSQL in CI; SQLite too, where
writers queue behind each other)."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection

from reloop.accounts.tests.factories import UserFactory
from reloop.core.errors import DomainError
from reloop.sellers.models import MemberRole, Seller, SellerApplication, SellerMember
from reloop.sellers.services import approve_seller_application, change_member_role
from reloop.sellers.tests.factories import SellerApplicationFactory, SellerMemberFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def race(*calls) -> list[str]:
    """Run the calls at once; each answers "ok" or its error code."""
    barrier = threading.Barrier(len(calls))
    results: list[str] = [""] * len(calls)

    def run(n: int) -> None:
        barrier.wait()
        try:
            calls[n]()
            results[n] = "ok"
        except DomainError as exc:
            results[n] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _two_owners_demote_each_other():
    first = SellerMemberFactory(role=MemberRole.OWNER)
    second = SellerMemberFactory(seller=first.seller, role=MemberRole.OWNER)
    results = race(
        lambda: change_member_role(actor=first.user, seller=first.seller, member_id=second.pk, role="staff"),
        lambda: change_member_role(actor=second.user, seller=first.seller, member_id=first.pk, role="staff"),
    )
    return results, SellerMember.objects.filter(seller=first.seller, role=MemberRole.OWNER).count()


def test_two_owners_demoting_each_other_leave_one_owner():
    results, owners = _two_owners_demote_each_other()
    assert sorted(results) in (["not_allowed", "ok"], ["last_owner", "ok"])
    assert owners == 1


@pytest.mark.postgres
def test_two_owners_demoting_each_other_leave_one_owner_on_postgres():
    results, owners = _two_owners_demote_each_other()
    assert sorted(results) in (["not_allowed", "ok"], ["last_owner", "ok"])
    assert owners == 1


def test_two_operators_approving_at_once_create_one_seller():
    application = SellerApplicationFactory()
    operators = [UserFactory(is_staff=True) for _ in range(3)]
    permission = Permission.objects.get(codename="change_sellerapplication")
    for user in operators:
        user.user_permissions.add(permission)

    results = race(
        *[
            (lambda user=user: approve_seller_application(actor=user, application_id=application.pk))
            for user in operators
        ]
    )

    assert results == ["ok"] * 3  # the later ones find it approved and return it
    assert Seller.objects.count() == 1
    assert SellerApplication.objects.get().seller == Seller.objects.get()
    assert SellerMember.objects.get().user == application.applicant
    assert [m.to for m in mail.outbox] == [[application.email]]  # one welcome email
