"""Forms of the account pages. They parse input and place errors next to their fields; the rules live in
``domain.py`` (addresses) and ``services.py`` (sign-up), which the forms call so a page and the services agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reloop.accounts.domain import COUNTRY_NAMES, FieldSpec, address_format, clean_address
from reloop.accounts.errors import EmailTaken, InvalidAddress
from reloop.accounts.models import User
from reloop.accounts.services import MAX_EMAIL_LENGTH, check_email_free, normalize_email


class SignUpForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=MAX_EMAIL_LENGTH,
        help_text=_("You will use it to sign in. We send order updates there."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    accept_terms = forms.BooleanField(label=_("I accept the terms of use"), required=True)

    def __init__(
        self, *args: Any, family_name_first: bool = False, terms_url: str = "", privacy_url: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = password_validation.password_validators_help_text_html()
        self.fields["accept_terms"].error_messages["required"] = gettext(
            "Accept the terms of use to create an account."
        )
        if terms_url and privacy_url:
            self.fields["accept_terms"].help_text = format_html(
                '<a href="{}" target="_blank" rel="noopener">{}</a> · '
                '<a href="{}" target="_blank" rel="noopener">{}</a>',
                terms_url,
                gettext("Read the terms of use"),
                privacy_url,
                gettext("How we use your data (privacy notice)"),
            )
        if family_name_first:  # Japanese names are written family name first
            self.order_fields(["last_name", "first_name"])

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        try:
            check_email_free(email)
        except EmailTaken as exc:
            raise ValidationError(exc.message, code=exc.code) from exc
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password:
            candidate = User(
                username=cleaned.get("email", ""),
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class LoginForm(AuthenticationForm):
    """Django's sign-in form, asking for the email address (``EmailBackend`` finds the account by it)."""

    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True, "spellcheck": "false"}),
    )
    error_messages = {
        "invalid_login": _("This email address and password do not match an account. Check them and try again."),
        "inactive": _("This account is inactive."),
    }


class PasswordResetRequestForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True, "spellcheck": "false"}),
    )


def _address_field(spec: FieldSpec) -> forms.Field:
    attrs = {"autocomplete": spec.autocomplete}
    hint = str(spec.hint)
    if spec.example:
        example = gettext("For example %(example)s") % {"example": spec.example}
        hint = f"{hint}. {example}" if hint else example
    if spec.choices:
        return forms.ChoiceField(
            label=spec.label,
            required=spec.required,
            help_text=hint,
            choices=[("", gettext("Choose…")), *spec.choices],
            widget=forms.Select(attrs=attrs),
        )
    if spec.name == "phone":
        attrs["inputmode"] = "tel"
        widget: forms.Widget = forms.TextInput(attrs={**attrs, "type": "tel"})
    elif spec.name == "postal_code":
        widget = forms.TextInput(attrs={**attrs, "spellcheck": "false", "autocapitalize": "characters"})
    else:
        widget = forms.TextInput(attrs=attrs)
    return forms.CharField(
        label=spec.label, required=spec.required, max_length=spec.max_length, help_text=hint, widget=widget
    )


class AddressForm(forms.Form):
    """An address with the fields of ``country``, in the order the country writes them.

    ``form_country`` remembers which country the fields were built for: when a buyer picks another country, the
    page shows that country's fields (keeping what was typed) instead of saving.
    """

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        country: str,
        countries: Sequence[str],
        initial: Mapping[str, Any] | None = None,
        can_make_default: bool = True,
    ) -> None:
        super().__init__(data, initial=dict(initial) if initial is not None else None)
        self.country = country
        self.countries = list(countries)
        self.address_format = address_format(country)
        self.fields["country"] = forms.ChoiceField(
            label=_("Country"),
            choices=[(c, COUNTRY_NAMES[c]) for c in self.countries],
            initial=country,
            widget=forms.Select(attrs={"autocomplete": "country"}),
        )
        self.fields["form_country"] = forms.CharField(required=False, widget=forms.HiddenInput, initial=country)
        for spec in self.address_format.fields:
            self.fields[spec.name] = _address_field(spec)
        if can_make_default:
            self.fields["make_default"] = forms.BooleanField(label=_("Use as my default address"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            self.address_data = clean_address(cleaned, allowed_countries=self.countries)
        except InvalidAddress as exc:
            self.add_address_errors(exc)
        return cleaned

    def add_address_errors(self, exc: InvalidAddress) -> None:
        """Show each rule the address breaks next to its field, unless the field already shows an error."""
        for name, messages in exc.field_errors.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, messages)
            elif name not in self.fields:
                self.add_error(None, messages)
