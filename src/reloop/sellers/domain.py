"""Pure rules of seller onboarding: what a valid trader application is (EU DSA art. 30), and the new-seller cap.

No ORM here. ``validate_application`` takes the raw fields a person typed and returns them normalised (IBAN,
VAT and registration numbers compacted to their canonical form) or raises ``InvalidApplication`` carrying one
message per bad field, so a form can show each next to its field and the API can answer 422 with all of them.

Identifiers are checked with python-stdnum, by country of establishment:

* **VAT number**: ``stdnum.eu.vat`` for the EU member states (stored with the country prefix, Greece as ``EL``),
  ``stdnum.gb.vat`` for the United Kingdom. Outside Europe the field holds the national business tax number
  that plays the same role: the US EIN (``stdnum.us.ein``), the Japanese qualified-invoice registration number
  ``T`` + the 13-digit corporate number (``stdnum.jp.cn``), the Australian ABN (``stdnum.au.abn``).
* **Company registration number**: the country's stdnum module where one exists (France SIREN or SIRET, Germany
  Handelsregisternummer, Austria Firmenbuchnummer, Spain CIF, Italy partita IVA, Belgium enterprise number,
  Sweden organisationsnummer, Japan corporate number, Australia ACN…); the United Kingdom's Companies House
  number by its published format (8 digits, or 2 letters and 6 digits: stdnum has no module for it); elsewhere,
  e.g. the US, where company registers are kept per state with no common format, a plain identifier (letters,
  digits, spaces and ``-./``) that the operator checks against the register when vetting.
* **IBAN** (``stdnum.iban``) and optional **BIC** (``stdnum.bic``). Payouts are IBAN transfers: a seller
  established outside the IBAN area gives an IBAN-area account (see docs/seller-onboarding.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from stdnum import bic, iban
from stdnum.at import businessid as at_businessid
from stdnum.au import abn as au_abn
from stdnum.au import acn as au_acn
from stdnum.be import vat as be_vat
from stdnum.de import handelsregisternummer as de_hrn
from stdnum.dk import cvr as dk_cvr
from stdnum.ee import registrikood as ee_registrikood
from stdnum.es import cif as es_cif
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fi import ytunnus as fi_ytunnus
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.gb import vat as gb_vat
from stdnum.it import iva as it_iva
from stdnum.jp import cn as jp_cn
from stdnum.pl import regon as pl_regon
from stdnum.ro import onrc as ro_onrc
from stdnum.se import orgnr as se_orgnr
from stdnum.si import maticna as si_maticna
from stdnum.us import ein as us_ein

from reloop.core.errors import InvalidInput

#: The 27 EU member states (ISO 3166-1 codes; Greece's VAT prefix is EL).
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
#: Where a seller may be established: the EU, the UK and the non-European markets' countries.
SUPPORTED_COUNTRIES = EU_COUNTRIES | {"GB", "US", "JP", "AU"}

MAX_LENGTHS = {
    "trading_name": 120,
    "legal_name": 200,
    "registration_number": 40,
    "vat_number": 20,
    "jp_registration_number": 20,
    "au_abn": 20,
    "iban": 34,
    "bic": 11,
    "address_line1": 200,
    "address_line2": 200,
    "postcode": 20,
    "city": 100,
    "contact_name": 150,
    "email": 254,
    "phone": 30,
    "rejection_reason": 500,
}
REQUIRED = (
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
)
#: Optional: the tax registrations of markets whose invoices must print them, for a seller established elsewhere
#: (a seller established in Japan or Australia gives them as its ``vat_number``): the Japanese qualified-invoice
#: issuer number (T + 13 digits) and the Australian Business Number (docs/invoicing.md).
OPTIONAL = ("bic", "address_line2", "jp_registration_number", "au_abn")


class InvalidApplication(InvalidInput):
    """One or more fields of a seller application are wrong; ``errors`` maps each field to its message."""

    code = "invalid_application"

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = dict(errors)


class FieldInvalid(Exception):
    """Raised by one field's check; carries the message shown next to that field."""


def _stdnum(module: ModuleType) -> Callable[[str], str]:
    def check(value: str) -> str:
        return str(module.validate(value))

    return check


def _siren_or_siret(value: str) -> str:
    compact = fr_siren.compact(value)
    return str(fr_siret.validate(compact) if len(compact) == 14 else fr_siren.validate(compact))


def _belgian_enterprise_number(value: str) -> str:
    return str(be_vat.validate(value))


_GB_COMPANY_NUMBER = re.compile(r"^(\d{8}|[A-Z]{2}\d{6})$")
_PLAIN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./-]{1,39}$")


def _gb_company_number(value: str) -> str:
    compact = re.sub(r"\s", "", value).upper()
    if not _GB_COMPANY_NUMBER.match(compact):
        raise FieldInvalid(_("A Companies House number is 8 digits, or 2 letters and 6 digits (e.g. 01234567)."))
    return compact


#: Company-register numbers stdnum can check, with an example shown in the error message.
REGISTRY_CHECKS: dict[str, tuple[Callable[[str], str], str]] = {
    "AT": (_stdnum(at_businessid), "FN 122119m"),
    "AU": (_stdnum(au_acn), "004 085 616"),
    "BE": (_belgian_enterprise_number, "0403.019.261"),
    "DE": (_stdnum(de_hrn), "Aachen HRA 11223"),
    "DK": (_stdnum(dk_cvr), "13585628"),
    "EE": (_stdnum(ee_registrikood), "12345678"),
    "ES": (_stdnum(es_cif), "A13585625"),
    "FI": (_stdnum(fi_ytunnus), "2077474-0"),
    "FR": (_siren_or_siret, "552 008 443"),
    "GB": (_gb_company_number, "01234567"),
    "IT": (_stdnum(it_iva), "00743110157"),
    "JP": (_stdnum(jp_cn), "5-8356-7825-6246"),
    "PL": (_stdnum(pl_regon), "192598184"),
    "RO": (_stdnum(ro_onrc), "J52/750/2012"),
    "SE": (_stdnum(se_orgnr), "1234567897"),
    "SI": (_stdnum(si_maticna), "9331310000"),
}


def clean_registration_number(country: str, value: str) -> str:
    """The company-register number, checked with the country's rule (see the module docstring)."""
    value = value.strip()
    check = REGISTRY_CHECKS.get(country)
    if check is None:
        if not _PLAIN_ID.match(value):
            raise FieldInvalid(_("Use 2 to 40 letters, digits, spaces or - . / as in your company register."))
        return value.upper()
    validator, example = check
    try:
        return validator(value)
    except FieldInvalid:
        raise
    except StdnumError:
        raise FieldInvalid(
            _("This is not a valid company registration number for %(country)s (e.g. %(example)s).")
            % {"country": country, "example": example}
        ) from None


def _vat_prefix(country: str) -> str:
    return "EL" if country == "GR" else country


def clean_vat_number(country: str, value: str) -> str:
    """The VAT number (or, outside Europe, the business tax number that plays its role), in its compact form."""
    value = value.strip()
    try:
        if country in EU_COUNTRIES:
            prefix = _vat_prefix(country)
            compact = eu_vat.compact(value if value[:2].isalpha() else prefix + value)
            if not compact.startswith(prefix):
                raise FieldInvalid(_("This VAT number is not from %(country)s.") % {"country": country})
            return str(eu_vat.validate(compact))
        if country == "GB":
            return "GB" + str(gb_vat.validate(value))
        if country == "US":
            return str(us_ein.format(us_ein.validate(value)))
        if country == "JP":
            return clean_jp_registration_number(value)
        if country == "AU":
            return clean_au_abn(value)
    except StdnumError:
        raise FieldInvalid(_(_VAT_HINTS.get(country, _VAT_HINT_EU))) from None
    raise FieldInvalid(_("Sellers established in %(country)s cannot apply yet.") % {"country": country})


def clean_jp_registration_number(value: str) -> str:
    """A Japanese qualified-invoice issuer registration number: ``T`` and the 13-digit corporate number (its
    check digit verified), compact; the ``T`` may be left out. ``StdnumError`` when it is not one."""
    return "T" + str(jp_cn.validate(value.strip().upper().removeprefix("T")))


def clean_au_abn(value: str) -> str:
    """An Australian Business Number: 11 digits with a valid checksum, compact. ``StdnumError`` otherwise."""
    return str(au_abn.validate(value))


_TAX_REGISTRATIONS: dict[str, tuple[str, Callable[[str], str]]] = {
    "jp_registration_number": ("JP", clean_jp_registration_number),
    "au_abn": ("AU", clean_au_abn),
}


def _clean_tax_registrations(cleaned: dict[str, str], errors: dict[str, str], country: str) -> None:
    """Check the optional market registrations; a seller established in Japan or Australia has it as its VAT
    number, which fills the field when left empty (and must agree with it when given)."""
    for field, (where, check) in _TAX_REGISTRATIONS.items():
        value = cleaned.get(field, "")
        if value:
            try:
                cleaned[field] = check(value)
            except StdnumError:
                errors[field] = str(_(_VAT_HINTS[where]))
                continue
        if country == where and "vat_number" not in errors and cleaned.get("vat_number"):
            if value and cleaned[field] != cleaned["vat_number"]:
                errors[field] = _("This must be the number given above.")
            cleaned[field] = cleaned["vat_number"]


_VAT_HINT_EU = gettext_noop("This is not a valid EU VAT number (e.g. FR40303265045).")
_VAT_HINTS = {
    "GB": gettext_noop("This is not a valid UK VAT number (e.g. GB980780684)."),
    "US": gettext_noop("Give your EIN, 9 digits (e.g. 04-2103594)."),
    "JP": gettext_noop("Give your invoice registration number: T and 13 digits (e.g. T5835678256246)."),
    "AU": gettext_noop("Give your ABN, 11 digits (e.g. 51 824 753 556)."),
}


def clean_iban(value: str) -> str:
    try:
        return str(iban.validate(value))
    except StdnumError:
        raise FieldInvalid(_("This is not a valid IBAN: check the country code, the length and the digits.")) from None


def clean_bic(value: str) -> str:
    if not value.strip():
        return ""
    try:
        return str(bic.validate(value))
    except StdnumError:
        raise FieldInvalid(_("A BIC is 8 or 11 letters and digits (e.g. DEUTDEFF).")) from None


_PHONE = re.compile(r"^\+?[0-9 ()./-]+$")


def clean_phone(value: str) -> str:
    value = value.strip()
    digits = sum(c.isdigit() for c in value)
    if not _PHONE.match(value) or not 6 <= digits <= 15:
        raise FieldInvalid(_("Give a phone number with its country code, e.g. +33 4 72 00 00 00."))
    return value


def clean_email(value: str) -> str:
    value = value.strip()
    try:
        validate_email(value)
    except ValidationError:
        raise FieldInvalid(_("Enter a valid email address.")) from None
    return value.lower()


_FIELD_CHECKS: dict[str, Callable[[str], str]] = {
    "iban": clean_iban,
    "bic": clean_bic,
    "phone": clean_phone,
    "email": clean_email,
}


def validate_application(data: Mapping[str, object]) -> dict[str, str]:
    """Check every field of a seller application; return them cleaned or raise ``InvalidApplication``.

    ``data`` holds the text fields of ``REQUIRED`` and ``OPTIONAL`` plus ``self_certified`` (must be true).
    Every bad field is reported at once, not only the first one.
    """
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for field in (*REQUIRED, *OPTIONAL):
        value = str(data.get(field) or "").strip()
        limit = MAX_LENGTHS.get(field)
        if field in REQUIRED and not value:
            errors[field] = _("This field is required.")
        elif limit is not None and len(value) > limit:
            errors[field] = _("At most %(limit)s characters.") % {"limit": limit}
        else:
            cleaned[field] = value
    country = cleaned.get("country", "").upper()
    if "country" in cleaned:
        if country not in SUPPORTED_COUNTRIES:
            errors["country"] = _("Sellers established in %(country)s cannot apply yet.") % {"country": country}
        cleaned["country"] = country
    if "address_country" in cleaned:
        cleaned["address_country"] = cleaned["address_country"].upper()
        if "country" not in errors and cleaned["address_country"] != country:
            errors["address_country"] = _("The registered address must be in the country of establishment.")
    for field in ("trading_name", "legal_name"):
        if field in cleaned and len(cleaned[field]) < 2:
            errors[field] = _("At least 2 characters.")
    for field, check in _FIELD_CHECKS.items():
        if cleaned.get(field):
            try:
                cleaned[field] = check(cleaned[field])
            except FieldInvalid as exc:
                errors[field] = str(exc)
    if "country" not in errors and country:
        for field, country_check in (
            ("registration_number", clean_registration_number),
            ("vat_number", clean_vat_number),
        ):
            if cleaned.get(field):
                try:
                    cleaned[field] = country_check(country, cleaned[field])
                except FieldInvalid as exc:
                    errors[field] = str(exc)
    _clean_tax_registrations(cleaned, errors, country)
    if data.get("self_certified") is not True:
        errors["self_certified"] = _("You must commit to offer only products and services that comply with EU law.")
    if errors:
        raise InvalidApplication(errors)
    return cleaned


def clean_rejection_reason(value: str) -> str:
    value = value.strip()
    if not value or len(value) > MAX_LENGTHS["rejection_reason"]:
        raise InvalidInput(
            _("Give the applicant a reason (1 to %(limit)s characters).") % {"limit": MAX_LENGTHS["rejection_reason"]},
            code="rejection_reason_required",
        )
    return value


# --- New-seller cap (DESIGN.md section 2) ---------------------------------------------------------------


@dataclass(frozen=True)
class CapRule:
    daily_units: int  # units a new seller may sell a day
    days: int  # for this many days after approval


def is_new_seller(*, approved_at: dt.datetime | None, today: dt.date, rule: CapRule) -> bool:
    """True during the first ``rule.days`` days after approval (the approval day is day 1). A seller without an
    approval date (created before vetting existed, or a demo seller) is not new."""
    if approved_at is None:
        return False
    return (today - approved_at.date()).days < rule.days


def reaches_cap(*, units_today: int, rule: CapRule) -> bool:
    return units_today >= rule.daily_units


def exceeds_cap(*, units_today: int, units_wanted: int, rule: CapRule) -> bool:
    """Would selling ``units_wanted`` more take the seller past its daily cap?"""
    return units_today + units_wanted > rule.daily_units
