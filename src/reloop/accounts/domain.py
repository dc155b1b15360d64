"""Postal addresses per country: which fields, in which order, labelled how, and each country's postal code.

Pure rules without the ORM. The address form, the address services and the account page all read the same
``AddressFormat``, so what the form asks for, what is stored and how it is printed cannot drift apart. Every
market's country has a format (a test checks that none is missing). The fields, their order and the postal-code
patterns follow the national postal operators, as summarised in Google's libaddressinput data.

Postal codes are checked on a compact form (Unicode NFKC, upper case, no spaces or dashes, so a Japanese
full-width "１００－０００１" or "sw1a1aa" are understood) and stored in the country's written form
("100-0001", "SW1A 1AA", "1234 AB").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeAlias

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reloop.accounts.errors import InvalidAddress
from reloop.markets.data import MARKETS

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise  # what gettext_lazy returns, in django-stubs

Text: TypeAlias = "str | _StrPromise"

#: Every field an address may have, in the order of the database table.
ADDRESS_FIELDS = ("full_name", "line1", "line2", "postal_code", "city", "region", "phone")
MAX_LENGTHS = {"full_name": 200, "line1": 200, "line2": 200, "postal_code": 16, "city": 100, "region": 100, "phone": 32}
PHONE_DIGITS = (6, 15)  # E.164 allows at most 15 digits; fewer than 6 is no phone number
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ()./-]+$")
# Spaces, dashes of every kind and the Japanese long-vowel mark that is often typed for a dash in postal codes.
_POSTAL_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\u30fc\u3012]")  # \u3012 is the postal mark 〒


@dataclass(frozen=True, slots=True)
class PostalCodeRule:
    """A country's postal code: ``pattern`` matches the compact form; its groups are written joined by ``joiner``."""

    pattern: re.Pattern[str]
    joiner: str
    example: str

    def normalize(self, raw: str) -> str | None:
        """The code as it is written in the country, or None when it is not one."""
        match = self.pattern.fullmatch(compact_postal_code(raw))
        if match is None:
            return None
        return self.joiner.join(group for group in match.groups() if group)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One input of an address form, as the country names it."""

    name: str
    label: Text
    required: bool
    autocomplete: str
    hint: Text = ""
    example: str = ""
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def max_length(self) -> int:
        return MAX_LENGTHS[self.name]


@dataclass(frozen=True, slots=True)
class AddressFormat:
    country: str
    fields: tuple[FieldSpec, ...]  # in the order the country writes them
    postal_code: PostalCodeRule
    #: How the address is printed: each entry a line, "{name}" placeholders; empty lines are dropped.
    layout: tuple[str, ...]
    _by_name: dict[str, FieldSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name: f for f in self.fields})

    def get(self, name: str) -> FieldSpec | None:
        return self._by_name.get(name)


class AddressLike(Protocol):
    full_name: str
    line1: str
    line2: str
    postal_code: str
    city: str
    region: str
    country: str
    phone: str


@dataclass(frozen=True, slots=True)
class AddressData:
    """An address that passed its country's rules, every value trimmed and normalised."""

    country: str
    full_name: str
    line1: str
    line2: str = ""
    postal_code: str = ""
    city: str = ""
    region: str = ""
    phone: str = ""

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in ("country", *ADDRESS_FIELDS)}


def compact_postal_code(raw: str) -> str:
    return _POSTAL_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()


def _rule(pattern: str, example: str, joiner: str = "") -> PostalCodeRule:
    return PostalCodeRule(re.compile(pattern), joiner, example)


# Compact patterns. Leading digits that no code uses are refused (00 in France and Germany, 0 in Belgium…).
POSTAL_CODES: dict[str, PostalCodeRule] = {
    "FR": _rule(r"((?!00)\d{5})", "75008"),
    "BE": _rule(r"([1-9]\d{3})", "1000"),
    "DE": _rule(r"((?!00)\d{5})", "10115"),
    "AT": _rule(r"([1-9]\d{3})", "1010"),
    "ES": _rule(r"((?:0[1-9]|[1-4]\d|5[0-2])\d{3})", "28013"),  # the first two digits are the province, 01-52
    "IT": _rule(r"(\d{5})", "00184"),
    "NL": _rule(r"([1-9]\d{3})((?!SA|SD|SS)[A-Z]{2})", "1012 AB", " "),  # SA, SD and SS are never issued
    "PT": _rule(r"([1-9]\d{3})(\d{3})", "1100-148", "-"),
    # Eircode: a routing key (letter, two digits; or D6W) and four characters from a set without look-alikes.
    "IE": _rule(r"([AC-FHKNPRTV-Y]\d{2}|D6W)([0-9AC-FHKNPRTV-Y]{4})", "D02 X285", " "),
    "GR": _rule(r"([1-8]\d{2})(\d{2})", "105 57", " "),
    "SK": _rule(r"([089]\d{2})(\d{2})", "811 01", " "),  # Slovak codes begin with 0, 8 or 9
    "SE": _rule(r"([1-9]\d{2})(\d{2})", "111 52", " "),
    # UK postcode: outward code (area, district) and inward code (sector digit, unit letters without C I K M O V).
    "GB": _rule(
        r"(GIR(?=0AA)|[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPSTUW]|[A-HK-Y]\d[ABEHMNPRV-Y]))"
        r"(\d[ABD-HJLNP-UW-Z]{2})",
        "SW1A 1AA",
        " ",
    ),
    "US": _rule(r"(\d{5})(\d{4})?", "94103", "-"),  # ZIP or ZIP+4 (94103-1234)
    "JP": _rule(r"(\d{3})(\d{4})", "100-0001", "-"),
    "AU": _rule(r"(\d{4})", "2000"),
}

US_STATES: tuple[tuple[str, str], ...] = (
    ("AL", "Alabama"), ("AK", "Alaska"), ("AS", "American Samoa"), ("AZ", "Arizona"), ("AR", "Arkansas"),
    ("CA", "California"), ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"),
    ("DC", "District of Columbia"), ("FL", "Florida"), ("GA", "Georgia"), ("GU", "Guam"), ("HI", "Hawaii"),
    ("ID", "Idaho"), ("IL", "Illinois"), ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"),
    ("LA", "Louisiana"), ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"),
    ("MN", "Minnesota"), ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"),
    ("NV", "Nevada"), ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("MP", "Northern Mariana Islands"), ("OH", "Ohio"),
    ("OK", "Oklahoma"), ("OR", "Oregon"), ("PA", "Pennsylvania"), ("PR", "Puerto Rico"), ("RI", "Rhode Island"),
    ("SC", "South Carolina"), ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"),
    ("VT", "Vermont"), ("VI", "U.S. Virgin Islands"), ("VA", "Virginia"), ("WA", "Washington"),
    ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
)  # fmt: skip

AU_STATES: tuple[tuple[str, str], ...] = (
    ("ACT", "Australian Capital Territory"), ("NSW", "New South Wales"), ("NT", "Northern Territory"),
    ("QLD", "Queensland"), ("SA", "South Australia"), ("TAS", "Tasmania"), ("VIC", "Victoria"),
    ("WA", "Western Australia"),
)  # fmt: skip

# The 47 prefectures in their official (JIS X 0401) order, stored as printed on a Japanese parcel.
_PREFECTURES = (
    ("北海道", "Hokkaido"), ("青森県", "Aomori"), ("岩手県", "Iwate"), ("宮城県", "Miyagi"), ("秋田県", "Akita"),
    ("山形県", "Yamagata"), ("福島県", "Fukushima"), ("茨城県", "Ibaraki"), ("栃木県", "Tochigi"),
    ("群馬県", "Gunma"), ("埼玉県", "Saitama"), ("千葉県", "Chiba"), ("東京都", "Tokyo"), ("神奈川県", "Kanagawa"),
    ("新潟県", "Niigata"), ("富山県", "Toyama"), ("石川県", "Ishikawa"), ("福井県", "Fukui"),
    ("山梨県", "Yamanashi"), ("長野県", "Nagano"), ("岐阜県", "Gifu"), ("静岡県", "Shizuoka"), ("愛知県", "Aichi"),
    ("三重県", "Mie"), ("滋賀県", "Shiga"), ("京都府", "Kyoto"), ("大阪府", "Osaka"), ("兵庫県", "Hyogo"),
    ("奈良県", "Nara"), ("和歌山県", "Wakayama"), ("鳥取県", "Tottori"), ("島根県", "Shimane"),
    ("岡山県", "Okayama"), ("広島県", "Hiroshima"), ("山口県", "Yamaguchi"), ("徳島県", "Tokushima"),
    ("香川県", "Kagawa"), ("愛媛県", "Ehime"), ("高知県", "Kochi"), ("福岡県", "Fukuoka"), ("佐賀県", "Saga"),
    ("長崎県", "Nagasaki"), ("熊本県", "Kumamoto"), ("大分県", "Oita"), ("宮崎県", "Miyazaki"),
    ("鹿児島県", "Kagoshima"), ("沖縄県", "Okinawa"),
)  # fmt: skip
JP_PREFECTURES: tuple[tuple[str, str], ...] = tuple((kanji, f"{kanji} ({name})") for kanji, name in _PREFECTURES)

FULL_NAME = FieldSpec("full_name", _("Full name"), True, "name")
LINE1 = FieldSpec("line1", _("Address line 1"), True, "address-line1", hint=_("Street and number"))
LINE2 = FieldSpec("line2", _("Address line 2"), False, "address-line2", hint=_("Apartment, floor or building"))
PHONE = FieldSpec("phone", _("Phone number"), False, "tel", hint=_("Only for the carrier, if they need to reach you"))
CITY = FieldSpec("city", _("City"), True, "address-level2")
TOWN = FieldSpec("city", _("Town or city"), True, "address-level2")
COUNTY = FieldSpec("region", _("County"), False, "address-level1")
PROVINCE = FieldSpec("region", _("Province"), False, "address-level1")


def _postal(country: str, label: Text) -> FieldSpec:
    return FieldSpec("postal_code", label, True, "postal-code", example=POSTAL_CODES[country].example)


POSTAL_CODE = _("Postal code")


def _continental(country: str, *, region: FieldSpec | None = None, label: Text = POSTAL_CODE) -> AddressFormat:
    """Most of Europe: street, then postal code and city on one line."""
    fields = (FULL_NAME, LINE1, LINE2, _postal(country, label), CITY, *([region] if region else []), PHONE)
    layout = ("{full_name}", "{line1}", "{line2}", "{postal_code} {city}", "{region}")
    return AddressFormat(country, fields, POSTAL_CODES[country], layout)


def _british_isles(country: str, *, postal_label: Text) -> AddressFormat:
    """Town, county and postcode each on their own line, the postcode last."""
    fields = (FULL_NAME, LINE1, LINE2, TOWN, COUNTY, _postal(country, postal_label), PHONE)
    layout = ("{full_name}", "{line1}", "{line2}", "{city}", "{region}", "{postal_code}")
    return AddressFormat(country, fields, POSTAL_CODES[country], layout)


ADDRESS_FORMATS: dict[str, AddressFormat] = {
    "FR": _continental("FR"),
    "BE": _continental("BE"),
    "DE": _continental("DE"),
    "AT": _continental("AT"),
    "ES": _continental("ES", region=PROVINCE),
    "IT": _continental("IT", region=FieldSpec("region", _("Province"), False, "address-level1", example="RM")),
    "NL": _continental("NL"),
    "PT": _continental("PT"),
    "GR": _continental("GR"),
    "SK": _continental("SK"),
    "SE": _continental("SE"),
    "IE": _british_isles("IE", postal_label=_("Eircode")),
    "GB": _british_isles("GB", postal_label=_("Postcode")),
    "US": AddressFormat(
        "US",
        (
            FULL_NAME,
            FieldSpec("line1", _("Address line 1"), True, "address-line1", hint=_("Street address or P.O. box")),
            LINE2,
            CITY,
            FieldSpec("region", _("State"), True, "address-level1", choices=US_STATES),
            _postal("US", _("ZIP code")),
            PHONE,
        ),
        POSTAL_CODES["US"],
        ("{full_name}", "{line1}", "{line2}", "{city}, {region} {postal_code}"),
    ),
    "AU": AddressFormat(
        "AU",
        (
            FULL_NAME,
            LINE1,
            LINE2,
            FieldSpec("city", _("Suburb"), True, "address-level2"),
            FieldSpec("region", _("State or territory"), True, "address-level1", choices=AU_STATES),
            _postal("AU", _("Postcode")),
            PHONE,
        ),
        POSTAL_CODES["AU"],
        ("{full_name}", "{line1}", "{line2}", "{city} {region} {postal_code}"),
    ),
    # Japan writes from the largest unit down: postal code, prefecture, city, block, building. Carriers print the
    # recipient's phone number on the label, so it is required.
    "JP": AddressFormat(
        "JP",
        (
            FULL_NAME,
            _postal("JP", POSTAL_CODE),
            FieldSpec("region", _("Prefecture"), True, "address-level1", choices=JP_PREFECTURES),
            FieldSpec("city", _("City, ward, town or village"), True, "address-level2"),
            FieldSpec("line1", _("Address line 1"), True, "address-line1", hint=_("District, block and lot number")),
            FieldSpec("line2", _("Address line 2"), False, "address-line2", hint=_("Building name and room number")),
            FieldSpec("phone", _("Phone number"), True, "tel", hint=_("Printed on the parcel label for the carrier")),
        ),
        POSTAL_CODES["JP"],
        ("〒{postal_code}", "{region}{city}", "{line1}", "{line2}", "{full_name}"),
    ),
}

COUNTRY_NAMES: dict[str, str | Promise] = {m.country: m.country_name for m in MARKETS}


def address_format(country: str) -> AddressFormat:
    try:
        return ADDRESS_FORMATS[country.upper()]
    except KeyError:
        raise InvalidAddress({"country": [gettext("We do not deliver to this country.")]}) from None


def normalize_postal_code(country: str, raw: str) -> str:
    """``raw`` written the country's way ("sw1a1aa" → "SW1A 1AA"); ``InvalidAddress`` when it is not a code there."""
    rule = address_format(country).postal_code
    normalized = rule.normalize(raw)
    if normalized is None:
        raise InvalidAddress({"postal_code": [_postal_code_error(rule)]})
    return normalized


def _postal_code_error(rule: PostalCodeRule) -> str:
    return gettext("Check the format, for example %(example)s.") % {"example": rule.example}


def clean_text(value: object) -> str:
    """Trimmed, with runs of whitespace (line breaks, tabs) reduced to one space."""
    return " ".join(unicodedata.normalize("NFC", str(value or "")).split())


def clean_address(data: Mapping[str, object], *, allowed_countries: Collection[str]) -> AddressData:
    """Check ``data`` against the rules of its country, collecting every field's error at once.

    Fields the country does not use (a region in France) are dropped. Raises ``InvalidAddress``.
    """
    country = clean_text(data.get("country")).upper()
    if country not in allowed_countries:
        raise InvalidAddress({"country": [gettext("We do not deliver to this country.")]})
    fmt = address_format(country)
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for spec in fmt.fields:
        value = clean_text(data.get(spec.name))
        if not value:
            if spec.required:
                errors[spec.name] = [gettext("This field is required.")]
            values[spec.name] = ""
            continue
        if len(value) > spec.max_length:
            errors[spec.name] = [gettext("Use at most %(max)s characters.") % {"max": spec.max_length}]
            continue
        try:
            values[spec.name] = _clean_value(fmt, spec, value)
        except ValueError as exc:
            errors[spec.name] = [str(exc)]
    if errors:
        raise InvalidAddress(errors)
    return AddressData(country=country, **values)


def _clean_value(fmt: AddressFormat, spec: FieldSpec, value: str) -> str:
    if spec.name == "postal_code":
        normalized = fmt.postal_code.normalize(value)
        if normalized is None:
            raise ValueError(_postal_code_error(fmt.postal_code))
        return normalized
    if spec.choices:
        by_key = {code.casefold(): code for code, _label in spec.choices}
        if value.casefold() not in by_key:
            raise ValueError(gettext("Choose one from the list."))
        return by_key[value.casefold()]
    if spec.name == "phone":
        digits = sum(c.isdigit() for c in value)
        if not _PHONE_CHARACTERS.match(value) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
            raise ValueError(gettext("Enter 6 to 15 digits; a leading +, spaces, dashes and brackets are allowed."))
    return value


def address_lines(address: AddressLike) -> list[str]:
    """The address as it is written on a parcel in its country, country name last, without empty lines."""
    fmt = address_format(address.country)
    values = {name: getattr(address, name) or "" for name in ADDRESS_FIELDS}
    lines = [" ".join(line.format(**values).split()).strip(" ,") for line in fmt.layout]
    return [line for line in lines if line] + [str(COUNTRY_NAMES[fmt.country])]


def region_label(country: str, region: str) -> str:
    """A region code as people read it (CA → California); free text is returned as it is."""
    spec = address_format(country).get("region")
    if spec is None:
        return ""
    return dict(spec.choices).get(region, region)
