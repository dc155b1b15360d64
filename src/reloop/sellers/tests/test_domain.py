"""Pure onboarding rules: every field of a trader application, per country, and the new-seller cap."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reloop.sellers.domain import (
    EU_COUNTRIES,
    REGISTRY_CHECKS,
    SUPPORTED_COUNTRIES,
    CapRule,
    FieldInvalid,
    InvalidApplication,
    clean_bic,
    clean_iban,
    clean_phone,
    clean_registration_number,
    clean_vat_number,
    exceeds_cap,
    is_new_seller,
    reaches_cap,
    validate_application,
)

VALID = {
    "trading_name": "Phoenix Phones",
    "legal_name": "Phoenix Phones SAS",
    "country": "FR",
    "registration_number": "732 829 320",
    "vat_number": "FR 40 303 265 045",
    "iban": "fr14 2004 1010 0505 0001 3m02 606",
    "bic": "",
    "address_line1": "12 rue de la République",
    "address_line2": "",
    "postcode": "69002",
    "city": "Lyon",
    "address_country": "fr",
    "contact_name": "Camille Martin",
    "email": "Camille@Phoenix.example",
    "phone": "+33 4 72 00 00 00",
    "self_certified": True,
}


def errors_of(**changes: object) -> dict[str, str]:
    with pytest.raises(InvalidApplication) as refused:
        validate_application({**VALID, **changes})
    return refused.value.errors


def test_a_valid_application_comes_back_in_canonical_form():
    cleaned = validate_application(VALID)
    assert {k: cleaned[k] for k in ("registration_number", "vat_number", "iban", "email", "address_country")} == {
        "registration_number": "732829320",
        "vat_number": "FR40303265045",
        "iban": "FR1420041010050500013M02606",
        "email": "camille@phoenix.example",
        "address_country": "FR",
    }


@pytest.mark.parametrize(
    "field",
    [
        "trading_name",
        "legal_name",
        "country",
        "registration_number",
        "vat_number",
        "iban",
        "address_line1",
        "postcode",
        "city",
        "address_country",
        "contact_name",
        "email",
        "phone",
    ],
)
def test_every_required_field_is_reported_when_missing(field):
    assert errors_of(**{field: "  "}) == {field: "This field is required."}


@pytest.mark.parametrize("field", ["bic", "address_line2"])
def test_optional_fields_may_be_empty(field):
    assert validate_application({**VALID, field: ""})[field] == ""


def test_every_bad_field_is_reported_at_once():
    errors = errors_of(iban="FR00", phone="x", email="nope", self_certified=False, trading_name="A" * 121)
    assert set(errors) == {"iban", "phone", "email", "self_certified", "trading_name"}


def test_the_self_certification_must_be_given():
    assert set(errors_of(self_certified=False)) == {"self_certified"}
    assert set(errors_of(self_certified="on")) == {"self_certified"}  # a bool from the form, never a truthy string


def test_a_country_outside_the_supported_ones_is_refused():
    assert set(errors_of(country="CH", address_country="CH")) == {"country"}


def test_the_registered_address_is_in_the_country_of_establishment():
    assert errors_of(address_country="DE") == {
        "address_country": "The registered address must be in the country of establishment."
    }


@pytest.mark.parametrize(
    ("country", "vat", "expected"),
    [
        ("FR", "FR40303265045", "FR40303265045"),
        ("FR", "40303265045", "FR40303265045"),  # the prefix is added
        ("DE", "DE 136 695 976", "DE136695976"),
        ("GR", "094259216", "EL094259216"),  # Greece's VAT prefix is EL
        ("NL", "NL004495445B01", "NL004495445B01"),
        ("GB", "GB 980 7806 84", "GB980780684"),
        ("US", "04-2103594", "04-2103594"),  # EIN
        ("JP", "T5835678256246", "T5835678256246"),  # qualified-invoice number
        ("AU", "51 824 753 556", "51824753556"),  # ABN
    ],
)
def test_vat_numbers_per_country(country, vat, expected):
    assert clean_vat_number(country, vat) == expected


@pytest.mark.parametrize(
    ("country", "vat"),
    [
        ("FR", "FR40303265046"),  # bad check digits
        ("FR", "DE136695976"),  # valid, but another country's
        ("GB", "GB980780685"),
        ("US", "00-0000000"),
        ("JP", "T5835678256247"),
        ("AU", "51 824 753 557"),
    ],
)
def test_bad_vat_numbers_are_refused(country, vat):
    with pytest.raises(FieldInvalid):
        clean_vat_number(country, vat)


@pytest.mark.parametrize(("country", "example"), [(c, e) for c, (_, e) in sorted(REGISTRY_CHECKS.items())])
def test_each_registry_validator_accepts_its_own_example(country, example):
    assert clean_registration_number(country, example)


@pytest.mark.parametrize(
    ("country", "number"),
    [("FR", "732 829 321"), ("FR", "73282932000075"), ("GB", "1234567"), ("ES", "A13585626"), ("AU", "004 085 617")],
)
def test_bad_registration_numbers_are_refused(country, number):
    with pytest.raises(FieldInvalid):
        clean_registration_number(country, number)


def test_a_french_siret_is_accepted_as_well_as_a_siren():
    assert clean_registration_number("FR", "732 829 320 00074") == "73282932000074"


def test_without_a_stdnum_validator_a_plain_register_id_is_accepted():
    assert "US" not in REGISTRY_CHECKS
    assert clean_registration_number("US", "c1234567") == "C1234567"
    with pytest.raises(FieldInvalid):
        clean_registration_number("US", "<script>")


def test_every_supported_country_has_a_vat_rule():
    for country in SUPPORTED_COUNTRIES:
        with pytest.raises(FieldInvalid) as refused:
            clean_vat_number(country, "000")
        assert "cannot apply" not in str(refused.value), country
    assert len(EU_COUNTRIES) == 27


VALID_IBANS = ["FR1420041010050500013M02606", "DE89370400440532013000", "GB29NWBK60161331926819", "NL91ABNA0417164300"]


@given(st.sampled_from(VALID_IBANS), st.data())
def test_changing_any_one_digit_of_an_iban_is_caught(valid, data):
    """The mod-97 check digits catch every single-digit error: no typo in a payout account goes through."""
    assert clean_iban(" ".join(valid[i : i + 4] for i in range(0, len(valid), 4)).lower()) == valid
    positions = [i for i, c in enumerate(valid) if c.isdigit() and i >= 2]
    i = data.draw(st.sampled_from(positions))
    other = data.draw(st.sampled_from([d for d in "0123456789" if d != valid[i]]))
    with pytest.raises(FieldInvalid):
        clean_iban(valid[:i] + other + valid[i + 1 :])


@given(st.text(max_size=40))
def test_the_phone_rule_never_crashes_and_wants_6_to_15_digits(text):
    try:
        cleaned = clean_phone(text)
    except FieldInvalid:
        return
    assert 6 <= sum(c.isdigit() for c in cleaned) <= 15


def test_bic():
    assert clean_bic("deutdeff") == "DEUTDEFF"
    assert clean_bic(" ") == ""
    with pytest.raises(FieldInvalid):
        clean_bic("DEUT")


# --- The new-seller cap -----------------------------------------------------------------------------------

RULE = CapRule(daily_units=5, days=40)
APPROVED = dt.datetime(2026, 3, 1, 15, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("today", "new"),
    [
        (dt.date(2026, 3, 1), True),  # day 1
        (dt.date(2026, 4, 9), True),  # day 40
        (dt.date(2026, 4, 10), False),  # day 41
    ],
)
def test_a_seller_is_new_for_its_first_40_days(today, new):
    assert is_new_seller(approved_at=APPROVED, today=today, rule=RULE) is new


def test_a_seller_without_an_approval_date_is_not_new():
    assert is_new_seller(approved_at=None, today=dt.date(2026, 3, 1), rule=RULE) is False


@given(st.integers(0, 50), st.integers(1, 10))
def test_the_cap_is_reached_at_5_and_never_passed(units_today, wanted):
    assert reaches_cap(units_today=units_today, rule=RULE) is (units_today >= 5)
    assert exceeds_cap(units_today=units_today, units_wanted=wanted, rule=RULE) is (units_today + wanted > 5)


def test_market_tax_registrations_are_optional_and_checked():
    cleaned = validate_application(VALID)
    assert (cleaned["jp_registration_number"], cleaned["au_abn"]) == ("", "")
    cleaned = validate_application({**VALID, "jp_registration_number": "t 5835678256246", "au_abn": "51 824 753 556"})
    assert (cleaned["jp_registration_number"], cleaned["au_abn"]) == ("T5835678256246", "51824753556")
    errors = errors_of(jp_registration_number="T5835678256247", au_abn="51 824 753 557")
    assert errors["jp_registration_number"].startswith("Give your invoice registration number: T and 13 digits")
    assert errors["au_abn"].startswith("Give your ABN, 11 digits")


@pytest.mark.parametrize(
    ("country", "vat", "field"),
    [("JP", "T5835678256246", "jp_registration_number"), ("AU", "51824753556", "au_abn")],
)
def test_a_seller_established_in_japan_or_australia_has_its_registration_from_its_tax_number(country, vat, field):
    data = {**VALID, "country": country, "address_country": country, "registration_number": "", "vat_number": vat}
    data["registration_number"] = {"JP": "5-8356-7825-6246", "AU": "004 085 616"}[country]
    assert validate_application(data)[field] == vat
    other = {"jp_registration_number": "T7000012050002", "au_abn": "53 004 085 616"}[field]
    assert errors_of(**{**data, field: other}) == {field: "This must be the number given above."}
