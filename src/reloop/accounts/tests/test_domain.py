"""Address rules per country, without a database: postal codes, required fields, order and printing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from reloop.accounts.domain import (
    ADDRESS_FORMATS,
    AddressData,
    address_format,
    address_lines,
    clean_address,
    normalize_postal_code,
)
from reloop.accounts.errors import InvalidAddress
from reloop.markets.data import MARKETS

ALL_COUNTRIES = [m.country for m in MARKETS]

# country: (typed → stored) pairs, then codes that are not postal codes there.
POSTAL_CODES = {
    "FR": ([("75008", "75008"), (" 75 008 ", "75008"), ("97400", "97400")], ["7500", "750080", "00100", "75A08"]),
    "BE": ([("1000", "1000"), ("9000 ", "9000")], ["0999", "10000", "B-100", "12a4"]),
    "DE": ([("10115", "10115"), ("01067", "01067")], ["1011", "00123", "D10115", "101155"]),
    "AT": ([("1010", "1010"), ("6020", "6020")], ["0100", "10100", "A10"]),
    "ES": ([("28013", "28013"), ("08001", "08001"), ("52001", "52001")], ["53001", "00123", "2801", "28O13"]),
    "IT": ([("00184", "00184"), ("20121", "20121")], ["0018", "001844", "I-00184"]),
    "NL": (
        [("1012AB", "1012 AB"), ("1234 ab", "1234 AB"), ("1234-ab", "1234 AB")],
        ["0123 AB", "1234 SA", "1234 A", "12345", "1234 A1"],
    ),
    "PT": ([("1100-148", "1100-148"), ("1100148", "1100-148"), ("4000 322", "4000-322")], ["1100-14", "0100-148"]),
    "IE": (
        [("D02X285", "D02 X285"), ("a65 f4e2", "A65 F4E2"), ("D6W 1234", "D6W 1234"), ("t12 rc34", "T12 RC34")],
        ["D02 X28", "B02 X285", "D02 O285", "D0 X2855", "12345"],
    ),
    "GR": ([("10557", "105 57"), ("105 57", "105 57"), ("85100", "851 00")], ["05557", "1055", "105 577"]),
    "SK": ([("81101", "811 01"), ("040 01", "040 01"), ("974 01", "974 01")], ["11101", "8110", "811 011"]),
    "SE": ([("11152", "111 52"), ("111 52", "111 52")], ["01152", "1115", "S-11152x"]),
    "GB": (
        [
            ("sw1a1aa", "SW1A 1AA"),
            ("SW1A 1AA", "SW1A 1AA"),
            ("m1 1ae", "M1 1AE"),
            ("B338TH", "B33 8TH"),
            ("cr2 6xh", "CR2 6XH"),
            ("DN55 1PT", "DN55 1PT"),
            ("W1A 0AX", "W1A 0AX"),
            ("EC1A 1BB", "EC1A 1BB"),
            ("GIR 0AA", "GIR 0AA"),
        ],
        ["SW1A", "SW1A 1A", "QA1 1AA", "SW1A 1CA", "12345", "AAA 1AA", "GIR 1AA"],
    ),
    "US": (
        [("94103", "94103"), ("94103-1234", "94103-1234"), ("941031234", "94103-1234"), (" 00501 ", "00501")],
        ["9410", "94103-12", "ABCDE", "941031"],
    ),
    "JP": (
        [
            ("100-0001", "100-0001"),
            ("1000001", "100-0001"),
            ("〒100-0001", "100-0001"),
            ("１００－０００１", "100-0001"),
        ],
        ["100-001", "10000011", "100 000A"],
    ),
    "AU": ([("2000", "2000"), ("0800", "0800"), (" 3000 ", "3000")], ["200", "20000", "NSW2000"]),
}


def test_every_market_country_has_an_address_format_and_postal_code_cases():
    assert set(ALL_COUNTRIES) == set(ADDRESS_FORMATS) == set(POSTAL_CODES)
    assert len(ALL_COUNTRIES) == 16


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [(c, typed, stored) for c, (valid, _invalid) in POSTAL_CODES.items() for typed, stored in valid],
)
def test_valid_postal_codes_are_normalized(country, typed, stored):
    assert normalize_postal_code(country, typed) == stored
    # Normalising twice changes nothing: the stored form is itself valid
    assert normalize_postal_code(country, stored) == stored


@pytest.mark.parametrize(
    ("country", "typed"),
    [(c, typed) for c, (_valid, invalid) in POSTAL_CODES.items() for typed in invalid],
)
def test_invalid_postal_codes_are_refused_with_an_example(country, typed):
    with pytest.raises(InvalidAddress) as exc:
        normalize_postal_code(country, typed)
    (message,) = exc.value.field_errors["postal_code"]
    assert address_format(country).postal_code.example in message


@pytest.mark.parametrize("country", ALL_COUNTRIES)
def test_each_country_example_is_itself_a_valid_postal_code(country):
    example = address_format(country).postal_code.example
    assert normalize_postal_code(country, example) == example


def _valid(country: str, **changes: str) -> dict[str, str]:
    """A complete address in ``country``: the first valid postal code, a region where the country has a list."""
    fmt = address_format(country)
    region = fmt.get("region")
    data = {
        "country": country,
        "full_name": "Ada Lovelace",
        "line1": "1 Main Street",
        "city": "Capital",
        "postal_code": POSTAL_CODES[country][0][0][0],
        "region": region.choices[0][0] if region and region.choices else "",
        "phone": "+44 20 7946 0000",
    }
    return {**data, **changes}


@pytest.mark.parametrize("country", ALL_COUNTRIES)
def test_a_complete_address_is_accepted_in_every_country(country):
    address = clean_address(_valid(country), allowed_countries=ALL_COUNTRIES)
    assert address.country == country
    assert address.postal_code == POSTAL_CODES[country][0][0][1]
    assert address_lines(address)[-1]  # printable, country name last


@pytest.mark.parametrize("country", ALL_COUNTRIES)
def test_every_country_asks_for_name_street_postal_code_and_city(country):
    fmt = address_format(country)
    required = {f.name for f in fmt.fields if f.required}
    assert {"full_name", "line1", "postal_code", "city"} <= required
    assert fmt.get("line2") is not None
    assert not fmt.get("line2").required
    assert [f.name for f in fmt.fields].count("region") <= 1


@pytest.mark.parametrize(
    ("country", "label", "required"),
    [("US", "State", True), ("JP", "Prefecture", True), ("AU", "State or territory", True),
     ("GB", "County", False), ("IE", "County", False), ("IT", "Province", False), ("ES", "Province", False)],
)  # fmt: skip
def test_regions_are_labelled_and_required_as_in_the_country(country, label, required):
    region = address_format(country).get("region")
    assert region is not None
    assert (str(region.label), region.required) == (label, required)


@pytest.mark.parametrize("country", ["FR", "BE", "DE", "AT", "NL", "PT", "GR", "SK", "SE"])
def test_countries_without_regions_do_not_ask_for_one_and_drop_it(country):
    assert address_format(country).get("region") is None
    assert clean_address(_valid(country, region="Somewhere"), allowed_countries=ALL_COUNTRIES).region == ""


@pytest.mark.parametrize(("country", "region"), [("US", ""), ("JP", ""), ("AU", ""), ("US", "XX"), ("JP", "Tokio")])
def test_a_missing_or_unknown_required_region_is_refused(country, region):
    with pytest.raises(InvalidAddress) as exc:
        clean_address(_valid(country, region=region), allowed_countries=ALL_COUNTRIES)
    assert list(exc.value.field_errors) == ["region"]


def test_region_codes_are_matched_in_any_case_and_stored_in_the_official_one():
    assert clean_address(_valid("US", region="ca"), allowed_countries=["US"]).region == "CA"
    assert clean_address(_valid("AU", region="nsw"), allowed_countries=["AU"]).region == "NSW"
    assert clean_address(_valid("JP", region="東京都"), allowed_countries=["JP"]).region == "東京都"


@pytest.mark.parametrize(
    ("country", "order"),
    [
        ("FR", ["full_name", "line1", "line2", "postal_code", "city", "phone"]),
        ("GB", ["full_name", "line1", "line2", "city", "region", "postal_code", "phone"]),
        ("US", ["full_name", "line1", "line2", "city", "region", "postal_code", "phone"]),
        ("JP", ["full_name", "postal_code", "region", "city", "line1", "line2", "phone"]),
    ],
)
def test_fields_come_in_the_order_the_country_writes_them(country, order):
    assert [f.name for f in address_format(country).fields] == order


def test_postal_code_labels_follow_the_country():
    labels = {c: str(address_format(c).get("postal_code").label) for c in ("GB", "IE", "US", "FR", "AU")}
    assert labels == {"GB": "Postcode", "IE": "Eircode", "US": "ZIP code", "FR": "Postal code", "AU": "Postcode"}


def test_every_error_is_reported_at_once_per_field():
    with pytest.raises(InvalidAddress) as exc:
        clean_address(
            {"country": "GB", "full_name": " ", "line1": "", "city": "London", "postal_code": "nope", "phone": "12"},
            allowed_countries=["GB"],
        )
    assert set(exc.value.field_errors) == {"full_name", "line1", "postal_code", "phone"}


def test_a_country_outside_the_enabled_markets_is_refused():
    with pytest.raises(InvalidAddress) as exc:
        clean_address(_valid("US"), allowed_countries=["FR", "GB"])
    assert list(exc.value.field_errors) == ["country"]
    with pytest.raises(InvalidAddress):
        clean_address({**_valid("FR"), "country": "CH"}, allowed_countries=["FR", "CH"])  # no format for Switzerland


def test_text_is_trimmed_and_whitespace_collapsed_and_long_values_refused():
    address = clean_address(_valid("FR", line1="  12   rue\nde la Paix ", city="Paris\t"), allowed_countries=["FR"])
    assert (address.line1, address.city) == ("12 rue de la Paix", "Paris")
    with pytest.raises(InvalidAddress) as exc:
        clean_address(_valid("FR", city="x" * 101), allowed_countries=["FR"])
    assert list(exc.value.field_errors) == ["city"]


@pytest.mark.parametrize("phone", ["+33 1 23 45 67 89", "(020) 7946-0000", "0612345678", ""])
def test_phone_numbers_with_usual_punctuation_are_accepted(phone):
    assert clean_address(_valid("FR", phone=phone), allowed_countries=["FR"]).phone == phone


@pytest.mark.parametrize("phone", ["12345", "call me", "+33 1 23 45 67 89 01 23 45", "++33123456"])
def test_implausible_phone_numbers_are_refused(phone):
    with pytest.raises(InvalidAddress) as exc:
        clean_address(_valid("FR", phone=phone), allowed_countries=["FR"])
    assert list(exc.value.field_errors) == ["phone"]


def test_japan_requires_a_phone_number():
    with pytest.raises(InvalidAddress) as exc:
        clean_address(_valid("JP", phone=""), allowed_countries=["JP"])
    assert list(exc.value.field_errors) == ["phone"]


@dataclass
class _Address:
    full_name: str
    line1: str
    postal_code: str
    city: str
    country: str
    line2: str = ""
    region: str = ""
    phone: str = ""


@pytest.mark.parametrize(
    ("address", "lines"),
    [
        (
            _Address("Ada Lovelace", "12 rue de la Paix", "75002", "Paris", "FR", line2="3e étage"),
            ["Ada Lovelace", "12 rue de la Paix", "3e étage", "75002 Paris", "France"],
        ),
        (
            _Address("Ada Lovelace", "10 Downing Street", "SW1A 2AA", "London", "GB"),
            ["Ada Lovelace", "10 Downing Street", "London", "SW1A 2AA", "United Kingdom"],
        ),
        (
            _Address("Ada Lovelace", "1 Market St", "94103", "San Francisco", "US", region="CA"),
            ["Ada Lovelace", "1 Market St", "San Francisco, CA 94103", "United States"],
        ),
        (
            _Address("山田太郎", "丸の内1-1-1", "100-0005", "千代田区", "JP", region="東京都"),
            ["〒100-0005", "東京都千代田区", "丸の内1-1-1", "山田太郎", "Japan"],
        ),
    ],
)
def test_addresses_print_the_way_their_country_writes_them(address, lines):
    assert address_lines(address) == lines


def test_address_data_lists_every_stored_field():
    data = AddressData(country="FR", full_name="A", line1="B", postal_code="75002", city="Paris").as_dict()
    assert data == {
        "country": "FR",
        "full_name": "A",
        "line1": "B",
        "line2": "",
        "postal_code": "75002",
        "city": "Paris",
        "region": "",
        "phone": "",
    }
