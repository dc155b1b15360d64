"""Forms of seller onboarding, the team and API keys: they parse and label; the rules live in ``sellers.domain``
and ``sellers.services`` (their errors are put back on the fields by the views)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reloop.sellers.domain import MAX_LENGTHS, SUPPORTED_COUNTRIES
from reloop.sellers.models import MemberRole

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise  # what gettext_lazy returns, in django-stubs


def country_choices() -> list[tuple[str, str]]:
    """The countries a seller may be established in, named in the page's language, sorted by name."""
    try:
        names = Locale.parse((get_language() or "en").replace("-", "_")).territories
    except (UnknownLocaleError, ValueError):
        names = Locale.parse("en").territories
    return [("", "—"), *sorted(((c, names.get(c, c)) for c in SUPPORTED_COUNTRIES), key=lambda pair: pair[1])]


def _text(
    label: str | _StrPromise,
    field: str,
    *,
    required: bool = True,
    autocomplete: str = "",
    help_text: str | _StrPromise = "",
) -> forms.CharField:
    attrs = {"autocomplete": autocomplete} if autocomplete else {}
    return forms.CharField(
        label=label,
        max_length=MAX_LENGTHS[field],
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
    )


class SellerApplicationForm(forms.Form):
    trading_name = _text(
        _("Trading name"),
        "trading_name",
        autocomplete="organization",
        help_text=_("The name buyers see on your offers."),
    )
    legal_name = _text(_("Legal company name"), "legal_name", help_text=_("As written in the company register."))
    country = forms.ChoiceField(label=_("Country of establishment"), choices=country_choices)
    registration_number = _text(
        _("Company registration number"),
        "registration_number",
        help_text=_(
            "Your number in the trade or company register, e.g. SIREN in France, Companies House number in the UK."
        ),
    )
    vat_number = _text(
        _("VAT number"),
        "vat_number",
        help_text=_("EU or UK VAT number; in the US your EIN, in Japan your T-number, in Australia your ABN."),
    )
    jp_registration_number = _text(
        _("Japanese invoice registration number"),
        "jp_registration_number",
        required=False,
        help_text=_(
            "Selling in Japan: T and 13 digits, printed on your qualified invoices. Leave empty if you are not "
            "registered (your Japanese invoices then say they are not qualified invoices)."
        ),
    )
    au_abn = _text(
        _("Australian Business Number (ABN)"),
        "au_abn",
        required=False,
        help_text=_(
            "Selling in Australia: 11 digits, printed on your tax invoices. Without one, your Australian invoices "
            "say they are not tax invoices."
        ),
    )
    iban = _text(_("IBAN"), "iban", help_text=_("The account your payouts are sent to."))
    bic = _text(_("BIC"), "bic", required=False)
    address_line1 = _text(_("Address line 1"), "address_line1", autocomplete="address-line1")
    address_line2 = _text(_("Address line 2"), "address_line2", required=False, autocomplete="address-line2")
    postcode = _text(_("Postcode"), "postcode", autocomplete="postal-code")
    city = _text(_("City"), "city", autocomplete="address-level2")
    address_country = forms.ChoiceField(label=_("Country of the registered address"), choices=country_choices)
    contact_name = _text(_("Contact name"), "contact_name", autocomplete="name")
    email = forms.EmailField(
        label=_("Email"), max_length=MAX_LENGTHS["email"], widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=MAX_LENGTHS["phone"],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    self_certified = forms.BooleanField(
        label=_("I commit to offer only products and services that comply with EU law."),
        required=False,  # the service refuses an application without it, with its own message
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.STAFF)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("What is this key for?"), max_length=100, help_text=_("For example “stock sync” or “ERP”.")
    )
