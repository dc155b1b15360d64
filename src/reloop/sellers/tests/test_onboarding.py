"""Onboarding services: applying, approving and rejecting (once, with emails on commit), the daily cap flags."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone

from reloop.accounts.tests.factories import UserFactory
from reloop.core.errors import InvalidInput
from reloop.sellers.domain import InvalidApplication
from reloop.sellers.errors import ApplicationAlreadyDecided, ApplicationRefused, NotAllowed
from reloop.sellers.models import ApplicationStatus, MemberRole, Seller, SellerApplication, SellerMember
from reloop.sellers.services import (
    DEMO_APPROVED_AT,
    approve_seller_application,
    cap_seller_for_today,
    load_demo_sellers,
    reject_seller_application,
    submit_seller_application,
)
from reloop.sellers.tests.factories import SellerApplicationFactory, SellerFactory, SellerMemberFactory

pytestmark = pytest.mark.django_db

DATA = {
    "trading_name": "Phoenix Phones",
    "legal_name": "Phoenix Phones SAS",
    "country": "FR",
    "registration_number": "732829320",
    "vat_number": "FR40303265045",
    "iban": "FR1420041010050500013M02606",
    "address_line1": "12 rue de la République",
    "postcode": "69002",
    "city": "Lyon",
    "address_country": "FR",
    "contact_name": "Camille Martin",
    "email": "camille@phoenix.example",
    "phone": "+33 4 72 00 00 00",
    "self_certified": True,
}


@pytest.fixture
def vetting_operator():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_sellerapplication"))
    return user


def test_an_application_records_when_the_self_certification_was_given():
    before = timezone.now()
    application = submit_seller_application(actor=UserFactory(), data=DATA)
    assert application.status == ApplicationStatus.SUBMITTED
    assert before <= application.self_certified_at <= timezone.now()


def test_a_second_application_waits_for_the_first():
    user = UserFactory()
    submit_seller_application(actor=user, data=DATA)
    with pytest.raises(ApplicationRefused) as refused:
        submit_seller_application(actor=user, data={**DATA, "trading_name": "Other Name"})
    assert refused.value.code == "application_pending"
    assert SellerApplication.objects.count() == 1


def test_a_member_of_a_seller_cannot_apply():
    with pytest.raises(ApplicationRefused) as refused:
        submit_seller_application(actor=SellerMemberFactory().user, data=DATA)
    assert refused.value.code == "already_a_seller"
    assert SellerApplication.objects.count() == 0


def test_a_trading_name_already_used_by_a_seller_is_a_field_error():
    SellerFactory(name="Phoenix Phones", slug="phoenix-phones")
    with pytest.raises(InvalidApplication) as refused:
        submit_seller_application(actor=UserFactory(), data={**DATA, "trading_name": "phoenix phones"})
    assert set(refused.value.errors) == {"trading_name"}


def test_approval_is_for_vetting_staff_only():
    application = SellerApplicationFactory()
    for actor in (UserFactory(), UserFactory(is_staff=True)):
        with pytest.raises(NotAllowed):
            approve_seller_application(actor=actor, application_id=application.pk)
    assert Seller.objects.count() == 0
    assert SellerApplication.objects.get().status == ApplicationStatus.SUBMITTED


def test_approving_twice_creates_one_seller_and_sends_one_email(vetting_operator, django_capture_on_commit_callbacks):
    application = SellerApplicationFactory(trading_name="Phoenix Phones")
    with django_capture_on_commit_callbacks(execute=True):
        first = approve_seller_application(actor=vetting_operator, application_id=application.pk)
    with django_capture_on_commit_callbacks(execute=True):
        second = approve_seller_application(actor=vetting_operator, application_id=application.pk)

    seller = Seller.objects.get()
    assert (first.seller_id, second.seller_id) == (seller.pk, seller.pk)
    assert (seller.slug, seller.standing) == ("phoenix-phones", "active")
    assert (first.decided_by, first.status) == (vetting_operator, ApplicationStatus.APPROVED)
    assert SellerMember.objects.get().role == MemberRole.OWNER
    assert len(mail.outbox) == 1
    assert "approved" in mail.outbox[0].subject
    assert "5 units a day" in mail.outbox[0].body
    assert seller.application == application  # the trader data stays linked for the seller page


def test_a_rejected_application_cannot_be_approved(vetting_operator):
    application = SellerApplicationFactory(rejected=True)
    with pytest.raises(ApplicationAlreadyDecided):
        approve_seller_application(actor=vetting_operator, application_id=application.pk)
    assert Seller.objects.count() == 0


def test_an_applicant_who_joined_a_team_meanwhile_is_not_made_owner_of_a_second_seller(vetting_operator):
    application = SellerApplicationFactory()
    SellerMemberFactory(user=application.applicant, role=MemberRole.STAFF)
    with pytest.raises(ApplicationAlreadyDecided) as refused:
        approve_seller_application(actor=vetting_operator, application_id=application.pk)
    assert refused.value.code == "applicant_already_member"
    assert Seller.objects.count() == 1  # only the team's seller
    assert SellerApplication.objects.get().status == ApplicationStatus.SUBMITTED


def test_rejecting_twice_emails_the_reason_once_and_an_approved_one_stays(
    vetting_operator, django_capture_on_commit_callbacks
):
    application = SellerApplicationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        reject_seller_application(actor=vetting_operator, application_id=application.pk, reason="Bad IBAN owner")
        again = reject_seller_application(actor=vetting_operator, application_id=application.pk, reason="Other")
    assert (again.status, again.rejection_reason) == (ApplicationStatus.REJECTED, "Bad IBAN owner")
    assert len(mail.outbox) == 1

    approved = SellerApplicationFactory()
    approve_seller_application(actor=vetting_operator, application_id=approved.pk)
    with pytest.raises(ApplicationAlreadyDecided):
        reject_seller_application(actor=vetting_operator, application_id=approved.pk, reason="Too late")


def test_a_rejection_without_a_reason_is_refused_and_changes_nothing(vetting_operator):
    application = SellerApplicationFactory()
    with pytest.raises(InvalidInput) as refused:
        reject_seller_application(actor=vetting_operator, application_id=application.pk, reason=" ")
    assert refused.value.code == "rejection_reason_required"
    assert SellerApplication.objects.get().status == ApplicationStatus.SUBMITTED


def test_capping_is_idempotent_and_refreshes_buy_boxes_once(django_capture_on_commit_callbacks):
    seller = SellerFactory(approved_at=timezone.now())
    today = timezone.now().date()
    with django_capture_on_commit_callbacks() as callbacks:
        results = [cap_seller_for_today(seller=seller, day=today), cap_seller_for_today(seller=seller, day=today)]
    assert results == [True, False]
    assert len(callbacks) == 1
    assert Seller.objects.get(pk=seller.pk).capped_on == today
    # A cap from yesterday is replaced by today's.
    assert cap_seller_for_today(seller=seller, day=today + dt.timedelta(days=1)) is True


def test_demo_sellers_count_as_approved_long_ago():
    load_demo_sellers()
    assert set(Seller.objects.values_list("approved_at", flat=True)) == {DEMO_APPROVED_AT}
