from __future__ import annotations

import factory

from reloop.accounts.models import Address, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A buyer as sign-up makes one: the username is the email address in lower case."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"buyer{n}@example.com")
    username = factory.LazyAttribute(lambda o: o.email.lower())
    first_name = "Ada"
    last_name = "Lovelace"
    preferred_market = "en-gb"
    password = factory.django.Password(PASSWORD)


class AddressFactory(factory.django.DjangoModelFactory):
    """A valid UK address (written directly: tests of the rules go through the services)."""

    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    full_name = "Ada Lovelace"
    line1 = factory.Sequence(lambda n: f"{n + 1} Downing Street")
    postal_code = "SW1A 2AA"
    city = "London"
    country = "GB"
