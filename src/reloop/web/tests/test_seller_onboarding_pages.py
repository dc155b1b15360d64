"""Seller onboarding pages: applying (/seller/apply/), the operator's vetting pages, suspending a seller."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from reloop.accounts.tests.factories import UserFactory
from reloop.sellers.models import ApplicationStatus, MemberRole, Seller, SellerApplication, SellerMember, Standing
from reloop.sellers.tests.factories import SellerApplicationFactory, SellerFactory, SellerMemberFactory
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db

VALID = {
    "trading_name": "Phoenix Phones",
    "legal_name": "Phoenix Phones SAS",
    "country": "FR",
    "registration_number": "732 829 320",
    "vat_number": "FR40303265045",
    "iban": "FR14 2004 1010 0505 0001 3M02 606",
    "bic": "",
    "address_line1": "12 rue de la République",
    "address_line2": "",
    "postcode": "69002",
    "city": "Lyon",
    "address_country": "FR",
    "contact_name": "Camille Martin",
    "email": "camille@phoenix.example",
    "phone": "+33 4 72 00 00 00",
    "self_certified": "on",
}


def operator(*, allowed=True):
    user = UserFactory(is_staff=True)
    if allowed:
        user.user_permissions.add(Permission.objects.get(codename="change_sellerapplication"))
    return user


# --- Applying ---------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_and_back(client):
    response = client.get(reverse("seller:apply"))
    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]
    assert "next=/seller/apply/" in response["Location"]


def test_a_person_without_a_seller_is_offered_the_application(client):
    client.force_login(UserFactory())
    response = client.get(reverse("seller:dashboard"))
    assert response.status_code == 403
    assert reverse("seller:apply").encode() in response.content


def test_a_valid_application_is_submitted_with_clean_identifiers(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("seller:apply"), VALID)

    assert response.status_code == 302
    application = SellerApplication.objects.get()
    assert (application.applicant, application.status) == (user, ApplicationStatus.SUBMITTED)
    assert (application.iban, application.vat_number, application.registration_number) == (
        "FR1420041010050500013M02606",
        "FR40303265045",
        "732829320",
    )
    assert application.self_certified_at is not None
    page = client.get(reverse("seller:apply"))
    assert b"Submitted" in page.content
    assert b"Submit application" not in page.content  # no second form while the first is pending


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("iban", "FR14 2004 1010 0505 0001 3M02 607", b"not a valid IBAN"),
        ("vat_number", "FR40303265046", b"not a valid EU VAT number"),
        ("registration_number", "732 829 321", b"not a valid company registration number"),
        ("phone", "call me", b"country code"),
        ("address_country", "DE", b"country of establishment"),
        ("self_certified", "", b"comply with EU law"),
        ("trading_name", "", b"This field is required"),
    ],
)
def test_a_bad_field_is_shown_next_to_it_and_nothing_is_saved(client, field, value, message):
    client.force_login(UserFactory())
    data = {**VALID, field: value}
    if not value:
        data.pop(field)

    response = client.post(reverse("seller:apply"), data)

    assert response.status_code == 200
    assert message in response.content
    assert f'id="id_{field}"'.encode() in response.content
    assert b'aria-invalid="true"' in response.content or field == "self_certified"
    assert SellerApplication.objects.count() == 0


def test_a_member_of_a_seller_sees_their_seller_instead_of_the_form(client):
    member = SellerMemberFactory()
    client.force_login(member.user)

    response = client.get(reverse("seller:apply"))
    posted = client.post(reverse("seller:apply"), VALID)

    assert member.seller.name.encode() in response.content
    assert b"Submit application" not in response.content
    assert posted.status_code == 200
    assert SellerApplication.objects.count() == 0


def test_after_a_rejection_the_reason_is_shown_above_a_new_form(client):
    application = SellerApplicationFactory(rejected=True, rejection_reason="The VAT number belongs to another company.")
    client.force_login(application.applicant)

    response = client.get(reverse("seller:apply"))

    assert b"belongs to another company" in response.content
    assert b"Submit application" in response.content


# --- Operator vetting -------------------------------------------------------------------------------------


@pytest.fixture
def pending():
    return SellerApplicationFactory()


def operator_urls(application):
    return [
        ("get", reverse("operator:seller_applications")),
        ("get", reverse("operator:seller_application", args=[application.pk])),
        ("post", reverse("operator:seller_application_approve", args=[application.pk])),
        ("post", reverse("operator:seller_application_reject", args=[application.pk])),
    ]


def test_operator_pages_send_anonymous_visitors_to_the_admin_sign_in(client, pending):
    for method, url in operator_urls(pending):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


@pytest.mark.parametrize("who", ["buyer", "seller_owner", "staff_without_permission"])
def test_operator_pages_refuse_everyone_but_vetting_staff(client, pending, who):
    user = {
        "buyer": UserFactory,
        "seller_owner": lambda: SellerMemberFactory().user,
        "staff_without_permission": lambda: operator(allowed=False),
    }[who]()
    sellers_before = Seller.objects.count()
    client.force_login(user)
    for method, url in operator_urls(pending):
        assert getattr(client, method)(url, {"reason": "x"}).status_code == 403, url
    assert SellerApplication.objects.get().status == ApplicationStatus.SUBMITTED
    assert Seller.objects.count() == sellers_before
    assert mail.outbox == []


def test_approving_creates_the_seller_with_its_owner_and_emails_once(
    client, pending, django_capture_on_commit_callbacks
):
    client.force_login(operator())
    url = reverse("operator:seller_application_approve", args=[pending.pk])

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url)

    assert (first.status_code, again.status_code) == (302, 302)
    seller = Seller.objects.get()
    assert (seller.name, seller.legal_name, seller.standing, seller.country) == (
        pending.trading_name,
        pending.legal_name,
        Standing.ACTIVE,
        pending.country,
    )
    assert seller.approved_at is not None
    assert SellerMember.objects.get(seller=seller).user == pending.applicant
    assert SellerMember.objects.get(seller=seller).role == MemberRole.OWNER
    assert [m.to for m in mail.outbox] == [[pending.email]]
    page = client.get(reverse("operator:seller_application", args=[pending.pk]))
    assert b"Approved" in page.content


def test_rejecting_needs_a_reason_and_emails_it(client, pending, django_capture_on_commit_callbacks):
    client.force_login(operator())
    url = reverse("operator:seller_application_reject", args=[pending.pk])

    with django_capture_on_commit_callbacks(execute=True):
        empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 422
    assert SellerApplication.objects.get().status == ApplicationStatus.SUBMITTED
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"reason": "The IBAN is not in the company's name."})
        client.post(url, {"reason": "Again"})

    application = SellerApplication.objects.get()
    assert (application.status, application.rejection_reason) == (
        ApplicationStatus.REJECTED,
        "The IBAN is not in the company's name.",
    )
    assert len(mail.outbox) == 1
    assert "The IBAN is not in the company's name." in mail.outbox[0].body
    assert Seller.objects.count() == 0


def test_an_unknown_application_is_404_for_an_operator(client):
    client.force_login(operator())
    assert client.get(reverse("operator:seller_application", args=[999])).status_code == 404
    assert client.post(reverse("operator:seller_application_approve", args=[999])).status_code == 404


def test_the_applications_list_filters_by_status(client):
    SellerApplicationFactory(trading_name="Waiting Ltd")
    SellerApplicationFactory(trading_name="Refused Ltd", rejected=True)
    client.force_login(operator())

    default = client.get(reverse("operator:seller_applications"))
    rejected = client.get(reverse("operator:seller_applications"), {"status": "rejected"})
    everything = client.get(reverse("operator:seller_applications"), {"status": ""})

    assert (b"Waiting Ltd" in default.content, b"Refused Ltd" in default.content) == (True, False)
    assert (b"Waiting Ltd" in rejected.content, b"Refused Ltd" in rejected.content) == (False, True)
    assert (b"Waiting Ltd" in everything.content, b"Refused Ltd" in everything.content) == (True, True)


def test_the_applications_list_runs_the_same_queries_for_1_and_10_rows(client):
    client.force_login(operator())
    SellerApplicationFactory()
    one, _ = queries_for(client, reverse("operator:seller_applications"))
    SellerApplicationFactory.create_batch(9)
    ten, response = queries_for(client, reverse("operator:seller_applications"))
    assert response.content.count(b"data-application=") == 10
    # session, user, user permissions, group permissions, count, one page with applicant/decider/seller joined
    assert one == ten


@pytest.mark.parametrize("page", ["99999999999999999999", "²", "-1", "abc", "0"])
def test_the_applications_list_answers_a_bad_page_number_with_page_one(client, page):
    # Given an operator and one application, when the list is asked for a bad page (past SQLite's 64-bit
    # OFFSET, a Unicode digit, below 1, not a number), then it answers page 1 instead of a server error
    client.force_login(operator())
    SellerApplicationFactory()
    response = client.get(reverse("operator:seller_applications"), {"page": page})
    assert response.status_code == 200
    assert response.content.count(b"data-application=") == 1


# --- Operator: suspend / reactivate -----------------------------------------------------------------------


def test_an_operator_suspends_and_reactivates_a_seller(client, django_capture_on_commit_callbacks):
    seller = SellerFactory()
    client.force_login(operator())
    url = reverse("operator:seller", args=[seller.slug])

    page = client.get(url)
    with django_capture_on_commit_callbacks(execute=True) as suspended:
        client.post(url, {"standing": Standing.SUSPENDED})
    assert Seller.objects.get(pk=seller.pk).standing == Standing.SUSPENDED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"standing": Standing.ACTIVE})

    assert page.status_code == 200
    assert len(suspended) == 1  # the buy-box refresh, on commit
    assert Seller.objects.get(pk=seller.pk).standing == Standing.ACTIVE


def test_the_seller_page_refuses_non_operators_and_unknown_slugs(client):
    seller = SellerFactory()
    url = reverse("operator:seller", args=[seller.slug])
    assert client.get(url).status_code == 302
    client.force_login(operator(allowed=False))
    assert client.post(url, {"standing": Standing.SUSPENDED}).status_code == 403
    assert Seller.objects.get(pk=seller.pk).standing == Standing.ACTIVE
    client.force_login(operator())
    assert client.get(reverse("operator:seller", args=["nobody"])).status_code == 404
