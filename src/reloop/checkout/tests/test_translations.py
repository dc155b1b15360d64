"""The checkout and payment pages in French, German, Spanish and Italian (src/reloop/checkout/locale).

The strings of the redesigned checkout (issue 10) that the main catalogue does not translate live in this app's
catalogue; Django merges it with the others. These tests check that each compiled .mo matches its .po, that key
strings come out translated in every language, and that the checkout page and the test provider's pages render in
French and German with none of this catalogue's English left on them.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.urls import reverse
from django.utils import translation

from reloop.accounts.models import User
from reloop.catalog.tests.factories import VariantFactory
from reloop.checkout.models import CheckoutPayment
from reloop.markets.tests.test_translations import _key, _plain  # one reading of .po/.mo entries
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import Order
from reloop.sellers.tests.factories import SellerFactory

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
LANGUAGES = ["de", "es", "fr", "it"]


def _catalog(path: Path, reader):
    with path.open("rb") as f:
        return {_key(m.context, _plain(m.id)): _plain(m.string) for m in reader(f) if m.id}


def _po(language: str):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "django.po").open("rb") as f:
        return [m for m in read_po(f) if m.id]


def test_every_interface_language_has_a_catalogue():
    assert sorted(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES" / "django.po").exists()) == LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source_and_is_complete(language):
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    assert _catalog(folder / "django.po", read_po) == _catalog(folder / "django.mo", read_mo), (
        f"recompile: msgfmt --check -o {folder}/django.mo {folder}/django.po"
    )
    messages = _po(language)
    untranslated = [m.id for m in messages if not all([m.string] if isinstance(m.string, str) else m.string)]
    assert (untranslated, [m.id for m in messages if m.fuzzy]) == ([], [])


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_kept(language):
    for m in _po(language):
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        wanted = set(re.findall(r"%\(\w+\)s", "".join(ids)))
        for s in strings:
            assert set(re.findall(r"%\(\w+\)s", s)) == wanted, (language, m.id, s)


KEY_STRINGS = {
    "fr": {
        "Total to pay": "Total à payer",
        "Payment pending": "Paiement en attente",
        "Cancel and return to the shop": "Annuler et revenir à la boutique",
        "Complete authentication": "Valider l'authentification",
    },
    "de": {
        "Total to pay": "Zu zahlender Gesamtbetrag",
        "Payment pending": "Zahlung ausstehend",
        "Cancel and return to the shop": "Abbrechen und zum Shop zurückkehren",
        "Complete authentication": "Authentifizierung abschließen",
    },
    "es": {
        "Total to pay": "Total a pagar",
        "Payment pending": "Pago pendiente",
        "Cancel and return to the shop": "Cancelar y volver a la tienda",
        "Complete authentication": "Completar la autenticación",
    },
    "it": {
        "Total to pay": "Totale da pagare",
        "Payment pending": "Pagamento in sospeso",
        "Cancel and return to the shop": "Annulla e torna al negozio",
        "Complete authentication": "Completa l'autenticazione",
    },
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_key_strings_are_translated_through_django(language):
    """Through Django's merged catalogue for the market's locale (fr-fr → fr), not only in the file."""
    with translation.override(f"{language}-{language}"):
        for english, translated in KEY_STRINGS[language].items():
            assert translation.gettext(english) == translated
        assert translation.gettext("The payment did not go through.") != "The payment did not go through."
        assert translation.gettext("Pay %(total)s") % {"total": "1 €"} != "Pay 1 €"
        assert translation.ngettext("In %(n)s instalment:", "In %(n)s instalments:", 3) % {"n": 3} != (
            "In 3 instalments:"
        )


# --- The pages, rendered -----------------------------------------------------------------------------------

ADDRESSES = {
    "fr-fr": {"country": "FR", "postal_code": "75001", "city": "Paris"},
    "de-de": {"country": "DE", "postal_code": "10115", "city": "Berlin"},
}


def _visible(body: str) -> str:
    """The page's text: markup, scripts and attributes dropped, entities decoded, spaces collapsed."""
    body = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def _english_left(text: str, language: str) -> list[str]:
    """This catalogue's English strings (without placeholders) found in the page's text."""
    left = []
    for m in _po(language):
        for english in [m.id] if isinstance(m.id, str) else list(m.id):
            if "%(" in english or english in ("3-D Secure",):  # same in every language
                continue
            translated = m.string if isinstance(m.string, str) else " ".join(m.string)
            if english != translated and re.search(rf"(?<![\w-]){re.escape(english)}(?![\w-])", text):
                left.append(english)
    return left


@pytest.mark.django_db
@pytest.mark.parametrize("market", ["fr-fr", "de-de"])
def test_checkout_and_the_test_provider_pages_are_translated(client, market):
    language = market[:2]

    def url(name: str, *args: object) -> str:  # the paths are translated too ("panier/", "warenkorb/")
        with translation.override(market):
            return reverse(name, args=args)

    user = User.objects.create_user(username="b@example.com", email="b@example.com", password="pw-123456-x")
    client.force_login(user)
    offer = make_offer(
        seller=SellerFactory(name="Alpha"),
        variant=VariantFactory(),
        price=30000,
        stock=2,
        market=market,
        currency="EUR",
    )
    client.post(url("web:cart_add"), {"offer": offer.pk, "quantity": 1})

    page = client.get(url("web:checkout")).content.decode()
    text = _visible(page)
    assert _english_left(text, language) == []
    assert KEY_STRINGS[language]["Total to pay"] in text

    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    total = re.search(r'data-total="(\d+)"', page).group(1)
    form = {
        "accept_terms": "on",
        "form_country": ADDRESSES[market]["country"],
        "full_name": "Olga Owner",
        "line1": "1 Rue",
        "idempotency_key": key,
        "expected_total": total,
        "instalments": "3",
        **ADDRESSES[market],
    }
    to_provider = client.post(url("web:checkout"), form)
    assert to_provider.status_code == 302, _visible(to_provider.content.decode())[:2000]

    order = Order.objects.get()
    unpaid = _visible(client.get(url("web:order", order.number)).content.decode())
    assert KEY_STRINGS[language]["Payment pending"] in unpaid
    assert _english_left(unpaid, language) == []

    card_page = _visible(client.get(to_provider["Location"]).content.decode())
    assert KEY_STRINGS[language]["Cancel and return to the shop"] in card_page
    assert _english_left(card_page, language) == []

    challenge = client.post(to_provider["Location"], {"card": "4000 0027 6000 3184"})  # 3-D Secure card
    challenge_page = _visible(client.get(challenge["Location"]).content.decode())
    assert KEY_STRINGS[language]["Complete authentication"] in challenge_page
    assert _english_left(challenge_page, language) == []
    assert CheckoutPayment.objects.get().order == order
