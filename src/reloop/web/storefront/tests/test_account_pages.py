"""Account pages: sign up, sign in and out, password reset by email, the account page and addresses.

Each scoped page is tried anonymously, by its owner and by another buyer (who gets a 404, like a missing page).
"""

from __future__ import annotations

import re

import pytest
from django.core import mail

from reloop.accounts.models import Address, User
from reloop.accounts.services import add_address
from reloop.accounts.tests.factories import PASSWORD, AddressFactory, UserFactory
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"
UK = {"country": "GB", "full_name": "Ada Lovelace", "line1": "10 Downing Street", "city": "London",
      "postal_code": "SW1A 2AA"}  # fmt: skip


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing is slow on purpose; these tests check who may sign in, not the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def buyer():
    return UserFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")


def signed_in_user(client):
    return int(client.session["_auth_user_id"]) if "_auth_user_id" in client.session else None


def signup_data(**changes):
    return {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com", "password": PASSWORD,
            "accept_terms": "on", **changes}  # fmt: skip


class TestSignUp:
    def test_a_new_buyer_is_signed_in_and_remembers_the_market(self, client):
        response = client.post("/fr-fr/compte/sign-up/", signup_data(email="Grace@Example.com"))
        assert response.status_code == 302
        assert response["Location"] == "/fr-fr/compte/"
        user = User.objects.get()
        assert (user.email, user.preferred_market, user.get_full_name()) == (
            "grace@example.com",
            "fr-fr",
            "Grace Hopper",
        )
        assert signed_in_user(client) == user.pk

    def test_goes_on_to_a_local_next_page_only(self, client):
        response = client.post("/en-gb/account/sign-up/", {**signup_data(), "next": "/en-gb/cart/"})
        assert response["Location"] == "/en-gb/cart/"
        client.logout()
        response = client.post(
            "/en-gb/account/sign-up/", {**signup_data(email="x@example.com"), "next": "https://evil.example/"}
        )
        assert response["Location"] == "/en-gb/account/"

    def test_a_duplicate_email_is_a_form_error_next_to_the_field(self, client, buyer):
        response = client.post("/en-gb/account/sign-up/", signup_data(email="ADA@example.com"))
        assert response.status_code == 200
        assert response.context["form"].errors["email"] == ["An account with this email address already exists."]
        html = response.content.decode()
        assert 'aria-invalid="true"' in html
        assert re.search(r'<input[^>]+aria-describedby="id_email_helptext id_email_error"', html)
        assert 'id="id_email_error"' in html
        assert User.objects.count() == 1
        assert signed_in_user(client) is None

    @pytest.mark.parametrize("password", ["short", "password", "1234567890123"])
    def test_a_weak_password_is_a_form_error(self, client, password):
        response = client.post("/en-gb/account/sign-up/", signup_data(password=password))
        assert response.status_code == 200
        assert response.context["form"].errors["password"]
        assert not User.objects.exists()

    def test_a_password_like_the_email_is_refused(self, client):
        response = client.post("/en-gb/account/sign-up/", signup_data(password="grace@example.com"))
        assert "password" in response.context["form"].errors

    def test_the_form_is_accessible_and_autocompletes(self, client):
        html = client.get("/en-gb/account/sign-up/").content.decode()
        assert re.search(r'<input type="email" name="email"[^>]*autocomplete="email"', html)
        assert re.search(r'<input type="password" name="password"[^>]*autocomplete="new-password"', html)
        assert '<label for="id_first_name">' in html
        assert "<h1" in html
        assert "Create an account" in html

    def test_japanese_names_are_asked_family_name_first(self, client):
        form = client.get("/ja-jp/account/sign-up/").context["form"]
        assert list(form.fields)[:2] == ["last_name", "first_name"]

    def test_a_signed_in_buyer_is_sent_to_the_account_page(self, client, buyer):
        client.force_login(buyer)
        assert client.get("/en-gb/account/sign-up/")["Location"] == "/en-gb/account/"


class TestSignInAndOut:
    @pytest.mark.parametrize("typed", ["ada@example.com", "ADA@Example.com", "  ada@example.com "])
    def test_signs_in_with_the_email_in_any_case(self, client, buyer, typed):
        response = client.post("/en-gb/account/sign-in/", {"username": typed, "password": PASSWORD})
        assert response.status_code == 302
        assert response["Location"] == "/en-gb/account/"
        assert signed_in_user(client) == buyer.pk

    def test_a_wrong_password_shows_an_error_and_signs_no_one_in(self, client, buyer):
        response = client.post("/en-gb/account/sign-in/", {"username": "ada@example.com", "password": "nope"})
        assert response.status_code == 200
        assert "do not match an account" in response.content.decode()
        assert signed_in_user(client) is None

    def test_goes_back_to_the_page_that_asked_for_it(self, client, buyer):
        response = client.post(
            "/de-de/konto/sign-in/", {"username": "ada@example.com", "password": PASSWORD, "next": "/de-de/warenkorb/"}
        )
        assert response["Location"] == "/de-de/warenkorb/"

    def test_the_page_autocompletes_and_links_to_sign_up_and_reset(self, client):
        html = client.get("/en-gb/account/sign-in/?next=/en-gb/cart/").content.decode()
        assert re.search(r'<input type="email" name="username"[^>]*autocomplete="username"', html)
        assert 'autocomplete="current-password"' in html
        assert 'href="/en-gb/account/sign-up/?next=/en-gb/cart/"' in html
        assert 'href="/en-gb/account/password-reset/"' in html

    def test_sign_out_is_a_post_and_goes_home(self, client, buyer):
        client.force_login(buyer)
        assert client.get("/en-gb/account/sign-out/").status_code == 405
        assert signed_in_user(client) == buyer.pk
        response = client.post("/en-gb/account/sign-out/")
        assert response.status_code == 302
        assert response["Location"] == "/en-gb/"
        assert signed_in_user(client) is None

    def test_the_header_offers_sign_in_or_the_account(self, client, buyer):
        html = client.get("/en-gb/").content.decode()
        assert 'class="account-link" href="/en-gb/account/sign-in/?next=/en-gb/"' in html
        client.force_login(buyer)
        html = client.get("/en-gb/").content.decode()
        assert 'class="account-link" href="/en-gb/account/"' in html
        assert "Sign in" not in html


class TestPasswordReset:
    def test_one_email_with_a_link_in_the_market_that_sets_a_new_password(self, client, buyer):
        # Given a buyer who forgot their password, asking from the French market
        response = client.post("/fr-fr/compte/password-reset/", {"email": "ADA@example.com"})
        assert response["Location"] == "/fr-fr/compte/password-reset/sent/"
        # Then one email goes to them, with a link under the same market
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["ada@example.com"]
        assert "\n" not in message.subject
        link = re.search(r"http://testserver(/fr-fr/compte/password-reset/[^/\s]+/[^/\s]+/)", message.body)
        assert link, message.body
        assert "Bonjour Ada," in message.body  # the email is in the market language
        # When they open it, Django moves the token out of the URL and shows the form
        response = client.get(link.group(1))
        assert response.status_code == 302
        form_url = response["Location"]
        assert form_url.endswith("/set-password/")
        assert client.get(form_url).context["validlink"] is True
        # And they choose a new password
        response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        assert response["Location"] == "/fr-fr/compte/password-reset/done/"
        # Then the new password signs them in, and the old one no longer does
        assert client.login(username="ada@example.com", password=NEW_PASSWORD)
        assert not client.login(username="ada@example.com", password=PASSWORD)
        # And the link works only once
        client.logout()
        assert client.get(link.group(1), follow=True).context["validlink"] is False

    def test_an_unknown_address_gets_no_email_and_the_same_answer(self, client, buyer):
        response = client.post("/en-gb/account/password-reset/", {"email": "nobody@example.com"})
        assert response["Location"] == "/en-gb/account/password-reset/sent/"
        assert mail.outbox == []

    def test_a_weak_new_password_is_refused(self, client, buyer):
        client.post("/en-gb/account/password-reset/", {"email": "ada@example.com"})
        path = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
        form_url = client.get(path)["Location"]
        response = client.post(form_url, {"new_password1": "123", "new_password2": "123"})
        assert response.status_code == 200
        assert response.context["form"].errors["new_password2"]
        buyer.refresh_from_db()
        assert buyer.check_password(PASSWORD)


class TestAccountPage:
    @pytest.mark.parametrize(("market", "account"), [("en-gb", "account"), ("fr-fr", "compte")])
    def test_anonymous_buyers_are_sent_to_sign_in_and_back(self, client, market, account):
        response = client.get(f"/{market}/{account}/")
        assert response.status_code == 302
        assert response["Location"] == f"/{market}/{account}/sign-in/?next=/{market}/{account}/"

    @pytest.mark.parametrize(
        "url", ["/en-gb/account/addresses/new/", "/en-gb/account/addresses/1/", "/en-gb/account/addresses/1/delete/"]
    )
    def test_address_pages_need_a_signed_in_buyer(self, client, url):
        assert client.post(url)["Location"].startswith("/en-gb/account/sign-in/?next=")

    def test_shows_name_email_and_addresses_default_first(self, client, buyer):
        add_address(user=buyer, data=UK)
        add_address(user=buyer, data={**UK, "line1": "1 Other Street"}, make_default=True)
        client.force_login(buyer)
        response = client.get("/en-gb/account/")
        html = response.content.decode()
        assert "Ada Lovelace" in html
        assert "ada@example.com" in html
        assert html.index("1 Other Street") < html.index("10 Downing Street")
        assert html.count("Default address") == 1
        assert "SW1A 2AA" in html
        assert "United Kingdom" in html

    def test_query_count_does_not_grow_with_the_addresses(self, client, buyer):
        other = UserFactory()
        AddressFactory(user=other, is_default=True)
        AddressFactory(user=buyer, is_default=True)
        client.force_login(buyer)
        # session, user, addresses (+ navigation with cold caches)
        n_one, _ = queries_for(client, "/en-gb/account/")
        AddressFactory.create_batch(9, user=buyer)
        n_ten, response = queries_for(client, "/en-gb/account/")
        assert n_one == n_ten
        assert response.content.decode().count('class="address-card') == 10


class TestAddressPages:
    def test_the_form_has_the_markets_country_and_its_fields(self, client, buyer):
        client.force_login(buyer)
        form = client.get("/en-us/account/addresses/new/").context["form"]
        assert form["country"].value() == "US"
        assert list(form.fields) == [
            "country", "form_country", "full_name", "line1", "line2", "city", "region", "postal_code", "phone",
            "make_default",
        ]  # fmt: skip
        assert (str(form.fields["region"].label), form.fields["region"].required) == ("State", True)
        assert str(form.fields["postal_code"].label) == "ZIP code"
        assert form["full_name"].value() == "Ada Lovelace"

    def test_the_inputs_carry_autocomplete_tokens(self, client, buyer):
        client.force_login(buyer)
        html = client.get("/en-gb/account/addresses/new/").content.decode()
        for token in ("name", "address-line1", "address-line2", "address-level2", "postal-code", "tel", "country"):
            assert f'autocomplete="{token}"' in html
        assert 'hx-post="/en-gb/account/addresses/new/"' in html

    def test_adding_an_address_normalises_it_and_goes_back_to_the_account(self, client, buyer):
        client.force_login(buyer)
        data = {**UK, "postal_code": "sw1a2aa", "form_country": "GB"}
        response = client.post("/en-gb/account/addresses/new/", data)
        assert response["Location"] == "/en-gb/account/"
        address = Address.objects.get(user=buyer)
        assert (address.postal_code, address.is_default) == ("SW1A 2AA", True)

    def test_an_invalid_postal_code_is_shown_next_to_its_field(self, client, buyer):
        client.force_login(buyer)
        response = client.post("/en-gb/account/addresses/new/", {**UK, "postal_code": "75008", "form_country": "GB"})
        assert response.status_code == 200
        assert response.context["form"].errors["postal_code"] == ["Check the format, for example SW1A 1AA."]
        html = response.content.decode()
        assert re.search(r'<input[^>]+name="postal_code"[^>]+aria-invalid="true"', html)
        assert 'aria-describedby="id_postal_code_helptext id_postal_code_error"' in html
        assert '<a href="#id_postal_code">' in html  # the error summary links to the field
        assert not Address.objects.exists()

    def test_picking_another_country_shows_its_fields_and_keeps_what_was_typed(self, client, buyer):
        client.force_login(buyer)
        response = client.post(
            "/en-gb/account/addresses/new/",
            {**UK, "country": "JP", "form_country": "GB", "region": "Kent"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert not form.is_bound  # nothing saved, no errors shown
        assert list(form.fields)[2:8] == ["full_name", "postal_code", "region", "city", "line1", "line2"]
        assert (form["line1"].value(), form["region"].value(), form["form_country"].value()) == (
            "10 Downing Street",
            None,
            "JP",
        )
        assert not Address.objects.exists()

    def test_a_country_outside_the_enabled_markets_is_refused(self, client, buyer):
        client.force_login(buyer)
        response = client.post("/en-gb/account/addresses/new/", {**UK, "country": "CH", "form_country": "CH"})
        assert response.status_code == 200
        assert "country" in response.context["form"].errors
        assert not Address.objects.exists()

    def test_edit_delete_and_make_default(self, client, buyer):
        first = add_address(user=buyer, data=UK)
        second = add_address(user=buyer, data={**UK, "line1": "1 Other Street"})
        client.force_login(buyer)
        assert client.get(f"/en-gb/account/addresses/{second.pk}/").context["form"]["line1"].value() == "1 Other Street"
        response = client.post(
            f"/en-gb/account/addresses/{second.pk}/", {**UK, "line1": "2 Other Street", "form_country": "GB"}
        )
        assert response["Location"] == "/en-gb/account/"
        second.refresh_from_db()
        assert second.line1 == "2 Other Street"

        assert client.post(f"/en-gb/account/addresses/{second.pk}/default/")["Location"] == "/en-gb/account/"
        assert Address.objects.get(user=buyer, is_default=True) == second

        assert client.post(f"/en-gb/account/addresses/{second.pk}/delete/")["Location"] == "/en-gb/account/"
        assert list(Address.objects.filter(user=buyer)) == [first]
        assert Address.objects.get().is_default

    def test_delete_and_make_default_only_answer_post(self, client, buyer):
        address = add_address(user=buyer, data=UK)
        client.force_login(buyer)
        assert client.get(f"/en-gb/account/addresses/{address.pk}/delete/").status_code == 405
        assert client.get(f"/en-gb/account/addresses/{address.pk}/default/").status_code == 405
        assert Address.objects.filter(pk=address.pk).exists()


class TestAnotherBuyersAddress:
    """Buyer B reaching for buyer A's address gets a 404 on every page, and A's address is unchanged."""

    @pytest.fixture
    def theirs(self, buyer):
        return add_address(user=buyer, data=UK)

    @pytest.fixture
    def intruder(self, client):
        other = UserFactory(email="eve@example.com")
        client.force_login(other)
        return other

    def test_cannot_see_it(self, client, theirs, intruder):
        assert client.get(f"/en-gb/account/addresses/{theirs.pk}/").status_code == 404
        assert "Downing" not in client.get("/en-gb/account/").content.decode()

    def test_cannot_edit_it(self, client, theirs, intruder):
        response = client.post(
            f"/en-gb/account/addresses/{theirs.pk}/", {**UK, "line1": "Hijacked", "form_country": "GB"}
        )
        assert response.status_code == 404
        theirs.refresh_from_db()
        assert theirs.line1 == "10 Downing Street"

    def test_cannot_delete_it(self, client, theirs, intruder):
        assert client.post(f"/en-gb/account/addresses/{theirs.pk}/delete/").status_code == 404
        assert Address.objects.filter(pk=theirs.pk).exists()

    def test_cannot_make_it_their_default(self, client, theirs, intruder):
        mine = add_address(user=intruder, data=UK)
        assert client.post(f"/en-gb/account/addresses/{theirs.pk}/default/").status_code == 404
        mine.refresh_from_db()
        assert mine.is_default
        assert theirs.user_id != intruder.pk

    def test_a_missing_address_is_the_same_404(self, client, intruder):
        assert client.get("/en-gb/account/addresses/999999/").status_code == 404
