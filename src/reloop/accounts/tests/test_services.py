"""Sign-up and address services: every refusal writes nothing; one user never reaches another's addresses."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction

from reloop.accounts import selectors
from reloop.accounts.errors import AddressNotFound, EmailTaken, InvalidAddress, WeakPassword
from reloop.accounts.models import Address, User
from reloop.accounts.services import (
    MAX_ADDRESSES,
    add_address,
    delete_address,
    register_buyer,
    set_default_address,
    update_address,
)
from reloop.accounts.tests.factories import PASSWORD, AddressFactory, UserFactory
from reloop.core.errors import InvalidInput

pytestmark = pytest.mark.django_db

UK = {"full_name": "Ada Lovelace", "line1": "10 Downing Street", "city": "London", "postal_code": "sw1a2aa"}


def uk(**changes):
    return {"country": "GB", **UK, **changes}


class TestRegisterBuyer:
    def test_creates_a_buyer_who_signs_in_with_the_email_in_any_case(self):
        user = register_buyer(
            email=" Ada@Example.COM ", password=PASSWORD, first_name="Ada", last_name="Lovelace", market="fr-fr"
        )
        assert (user.email, user.username, user.preferred_market) == ("ada@example.com", "ada@example.com", "fr-fr")
        assert user.check_password(PASSWORD)
        assert authenticate(username="ADA@example.com", password=PASSWORD) == user
        assert authenticate(username="ada@example.com", password="wrong-password") is None

    def test_an_email_already_used_in_any_case_is_refused(self):
        UserFactory(email="ada@example.com")
        with pytest.raises(EmailTaken):
            register_buyer(email="ADA@example.com", password=PASSWORD, market="en-gb")
        assert User.objects.count() == 1

    def test_a_staff_username_equal_to_the_email_is_refused_too(self):
        User.objects.create_user(username="ops@example.com", password=PASSWORD)  # no email
        with pytest.raises(EmailTaken):
            register_buyer(email="ops@example.com", password=PASSWORD, market="en-gb")

    @pytest.mark.parametrize("password", ["short", "password123", "12345678901", "ada.lovelace@example.com"])
    def test_a_weak_password_is_refused_by_djangos_validators(self, password):
        with pytest.raises(WeakPassword) as exc:
            register_buyer(email="ada.lovelace@example.com", password=password, first_name="Ada", market="en-gb")
        assert exc.value.messages
        assert not User.objects.exists()

    @pytest.mark.parametrize("email", ["not-an-email", "a@" + "b" * 150 + ".com"])
    def test_an_invalid_or_too_long_email_is_refused(self, email):
        with pytest.raises(InvalidInput) as exc:
            register_buyer(email=email, password=PASSWORD, market="en-gb")
        assert exc.value.code == "invalid_email"
        assert not User.objects.exists()

    def test_the_database_refuses_two_emails_differing_only_in_case(self):
        UserFactory(email="ada@example.com", username="ada")
        with pytest.raises(IntegrityError), transaction.atomic():
            UserFactory(email="Ada@Example.com", username="ada2")


class TestEmailBackend:
    def test_staff_without_email_sign_in_with_their_username(self):
        staff = User.objects.create_user(username="operator", password=PASSWORD)
        assert authenticate(username="operator", password=PASSWORD) == staff

    def test_an_inactive_account_cannot_sign_in(self):
        UserFactory(email="gone@example.com", is_active=False)
        assert authenticate(username="gone@example.com", password=PASSWORD) is None

    def test_an_unknown_email_signs_no_one_in(self):
        assert authenticate(username="nobody@example.com", password=PASSWORD) is None


class TestAddresses:
    def test_the_first_address_is_the_default_and_is_stored_normalised(self):
        user = UserFactory()
        address = add_address(user=user, data=uk(line1="  10   Downing Street "))
        assert address.is_default
        assert (address.line1, address.postal_code, address.country) == ("10 Downing Street", "SW1A 2AA", "GB")

    def test_a_later_address_is_not_the_default_unless_asked(self):
        user = UserFactory()
        first = add_address(user=user, data=uk())
        second = add_address(user=user, data=uk(line1="1 Other Street"))
        assert not second.is_default
        third = add_address(user=user, data=uk(line1="2 Other Street"), make_default=True)
        assert [a.pk for a in selectors.addresses_for(user=user)] == [third.pk, first.pk, second.pk]
        assert Address.objects.filter(user=user, is_default=True).get() == third

    def test_an_invalid_address_is_refused_with_field_errors_and_nothing_written(self):
        user = UserFactory()
        with pytest.raises(InvalidAddress) as exc:
            add_address(user=user, data=uk(postal_code="75008", city=""))
        assert set(exc.value.field_errors) == {"postal_code", "city"}
        assert not Address.objects.exists()

    def test_a_country_of_a_market_not_enabled_is_refused(self, settings):
        from reloop.markets.registry import _enabled

        settings.RELOOP_MARKETS = ["fr-fr", "en-gb"]
        _enabled.cache_clear()
        try:
            with pytest.raises(InvalidAddress) as exc:
                add_address(
                    user=UserFactory(),
                    data={"country": "US", **UK, "postal_code": "94103", "region": "CA"},
                )
            assert list(exc.value.field_errors) == ["country"]
            assert selectors.delivery_countries() == ["FR", "GB"]
        finally:
            _enabled.cache_clear()

    def test_the_number_of_addresses_is_bounded(self):
        user = UserFactory()
        AddressFactory.create_batch(MAX_ADDRESSES, user=user)
        with pytest.raises(InvalidAddress):
            add_address(user=user, data=uk())
        assert Address.objects.filter(user=user).count() == MAX_ADDRESSES

    def test_update_replaces_the_fields_in_the_new_countrys_format(self):
        user = UserFactory()
        address = add_address(user=user, data=uk(region="Greater London"))
        updated = update_address(
            user=user,
            address_id=address.pk,
            data={"country": "FR", "full_name": "Ada", "line1": "12 rue de la Paix", "postal_code": "75 002",
                  "city": "Paris", "region": "Greater London"},
        )  # fmt: skip
        address.refresh_from_db()
        assert (address.country, address.postal_code, address.region) == ("FR", "75002", "")
        assert updated.is_default

    def test_deleting_the_default_makes_the_oldest_other_address_the_default(self):
        user = UserFactory()
        first = add_address(user=user, data=uk())
        second = add_address(user=user, data=uk(line1="1 Other Street"))
        third = add_address(user=user, data=uk(line1="2 Other Street"))
        delete_address(user=user, address_id=first.pk)
        assert [(a.pk, a.is_default) for a in selectors.addresses_for(user=user)] == [
            (second.pk, True),
            (third.pk, False),
        ]
        delete_address(user=user, address_id=third.pk)
        assert Address.objects.get(user=user).is_default

    def test_set_default_moves_the_flag(self):
        user = UserFactory()
        first = add_address(user=user, data=uk())
        second = add_address(user=user, data=uk(line1="1 Other Street"))
        assert set_default_address(user=user, address_id=second.pk).is_default
        first.refresh_from_db()
        assert not first.is_default
        assert set_default_address(user=user, address_id=second.pk).is_default  # again: no change, no error

    def test_the_database_allows_one_default_address_per_user(self):
        user = UserFactory()
        AddressFactory(user=user, is_default=True)
        AddressFactory(user=UserFactory(), is_default=True)  # another user's default is fine
        AddressFactory(user=user, is_default=False)
        with pytest.raises(IntegrityError), transaction.atomic():
            AddressFactory(user=user, is_default=True)

    def test_the_database_refuses_a_country_without_a_format(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            AddressFactory(country="CH")


class TestAnotherUsersAddress:
    """Every service answers another user's address exactly like a missing one, and changes nothing."""

    @pytest.fixture
    def theirs(self):
        return add_address(user=UserFactory(), data=uk())

    def test_cannot_be_read(self, theirs):
        with pytest.raises(AddressNotFound):
            selectors.get_address(user=UserFactory(), address_id=theirs.pk)

    def test_cannot_be_updated(self, theirs):
        with pytest.raises(AddressNotFound):
            update_address(user=UserFactory(), address_id=theirs.pk, data=uk(line1="Hijacked"))
        theirs.refresh_from_db()
        assert theirs.line1 == "10 Downing Street"

    def test_cannot_be_deleted(self, theirs):
        with pytest.raises(AddressNotFound):
            delete_address(user=UserFactory(), address_id=theirs.pk)
        assert Address.objects.filter(pk=theirs.pk).exists()

    def test_cannot_be_made_default(self, theirs):
        me = UserFactory()
        mine = add_address(user=me, data=uk())
        with pytest.raises(AddressNotFound):
            set_default_address(user=me, address_id=theirs.pk)
        mine.refresh_from_db()
        assert mine.is_default
