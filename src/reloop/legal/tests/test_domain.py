"""Pure rules of the legal pages: documents per market, default texts, placeholders, the safe text format and the
elements a DSA notice must carry."""

from __future__ import annotations

import pytest

from reloop.legal import domain


def test_the_withdrawal_form_is_published_only_where_consumers_have_that_right():
    assert domain.WITHDRAWAL_FORM in domain.kinds_for_country("FR")
    assert domain.WITHDRAWAL_FORM in domain.kinds_for_country("GB")
    assert domain.WITHDRAWAL_FORM not in domain.kinds_for_country("US")
    assert domain.kinds_for_country("US") == (
        domain.TERMS_OF_USE,
        domain.TERMS_OF_SALE,
        domain.PRIVACY,
        domain.LEGAL_NOTICE,
        domain.COOKIES,
    )


@pytest.mark.parametrize("language", ["en", "fr", "de", "es", "it"])
@pytest.mark.parametrize("kind", domain.KINDS)
def test_every_document_has_a_default_text_in_each_shipped_language(kind, language):
    text = domain.default_text(kind, language)
    assert text.title
    assert len(text.body) > 200
    if kind != domain.WITHDRAWAL_FORM:  # the model form's wording is the Directive's own
        assert "Reloop" in text.body.splitlines()[0]  # the first line says it is a template to review


def test_a_language_without_a_default_text_gets_the_english_one():
    assert domain.default_text(domain.PRIVACY, "ja") == domain.default_text(domain.PRIVACY, "en")
    assert domain.default_text(domain.LEGAL_NOTICE, "fr").title == "Mentions légales"
    assert domain.default_text(domain.LEGAL_NOTICE, "de").title == "Impressum"


def test_placeholders_are_filled_and_unknown_ones_stay_visible():
    text = "By {{ operator_name }} at {{operator_address}}; {{ nope }}"
    assert domain.fill_placeholders(text, {"operator_name": "Acme", "operator_address": "1 Rue"}) == (
        "By Acme at 1 Rue; {{ nope }}"
    )


def test_the_text_format_escapes_everything_but_its_own_marks():
    html = domain.render_body(
        "## Title <b>\n\nA <script>alert(1)</script> **bold** [site](/fr-fr/) [bad](javascript:alert(1))"
        "\n\n- one\n- two"
    )
    assert "<h2>Title &lt;b&gt;</h2>" in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<strong>bold</strong>" in html
    assert '<a href="/fr-fr/">site</a>' in html
    assert 'href="javascript' not in html
    assert "<ul><li>one</li><li>two</li></ul>" in html


def _notice(**changes):
    data = {
        "category": "counterfeit",
        "listing_url": "https://shop.example/fr-fr/p/iphone-13/",
        "explanation": "The seller lists an obvious counterfeit with a fake logo.",
        "reporter_name": "Ann",
        "reporter_email": "ann@example.com",
        "good_faith": True,
        "site_hosts": frozenset({"shop.example"}),
    }
    return {**data, **changes}


def test_a_complete_notice_has_no_problem():
    assert domain.check_notice(**_notice()) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "spam"}, "category"),
        ({"listing_url": "not a url"}, "listing_url"),
        ({"listing_url": "https://elsewhere.example/p/x/"}, "listing_url"),
        ({"listing_url": "javascript:alert(1)"}, "listing_url"),
        ({"explanation": "bad"}, "explanation"),
        ({"explanation": "x" * 5001}, "explanation"),
        ({"reporter_name": " "}, "reporter_name"),
        ({"reporter_email": ""}, "reporter_email"),
        ({"good_faith": False}, "good_faith"),
    ],
)
def test_each_missing_element_of_article_16_is_named(changes, field):
    assert [p.field for p in domain.check_notice(**_notice(**changes))] == [field]


def test_a_child_abuse_notice_may_be_anonymous():
    assert domain.check_notice(**_notice(category="child_abuse", reporter_name="", reporter_email="")) == []
