"""Forms of the trade-in pages: the questionnaire, accepting a quote, and the refurbisher's and operator's steps.

They only parse; every rule (IBAN check digits, amounts below the quote, photo types by their bytes) is the
service's, and a refusal comes back as a form error.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reloop.buyback.domain import Answers, Body, Condition, PayoutMethod, Screen
from reloop.catalog.models import Variant
from reloop.core.money import InvalidAmount, Money
from reloop.fulfillment.carriers import carrier_choices
from reloop.web.aftersales_forms import PhotosField

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class QuestionnaireForm(forms.Form):
    variant = forms.TypedChoiceField(label=_("Storage and colour"), coerce=int)
    powers_on = forms.ChoiceField(label=_("Does it switch on?"), choices=YES_NO, widget=forms.RadioSelect)
    all_functions_work = forms.ChoiceField(
        label=_("Does everything work?"),
        help_text=_("Cameras, buttons, speakers, Face ID or fingerprint, charging, Wi-Fi and mobile network."),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    screen = forms.ChoiceField(label=_("The screen"), choices=Screen.choices, widget=forms.RadioSelect)
    body = forms.ChoiceField(label=_("The body and back"), choices=Body.choices, widget=forms.RadioSelect)
    battery_health = forms.IntegerField(
        label=_("Battery health (%)"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_("Settings → Battery → Battery Health on an iPhone; leave empty if your phone does not show it."),
    )
    accounts_removed = forms.ChoiceField(
        label=_("Have you signed out of iCloud, Google or Samsung and turned off Find My?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    carrier_unlocked = forms.ChoiceField(
        label=_("Does it work with any network's SIM card?"), choices=YES_NO, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, variants: list[Variant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["variant"].choices = [(v.pk, v.label) for v in variants]  # type: ignore[attr-defined]

    def answers(self) -> Answers:
        data = self.cleaned_data
        return Answers(
            powers_on=data["powers_on"] == "yes",
            all_functions_work=data["all_functions_work"] == "yes",
            screen=data["screen"],
            body=data["body"],
            battery_health=data.get("battery_health"),
            accounts_removed=data["accounts_removed"] == "yes",
            carrier_unlocked=data["carrier_unlocked"] == "yes",
        )


class AcceptQuoteForm(forms.Form):
    payout_method = forms.ChoiceField(
        label=_("How do you want to be paid?"),
        choices=[
            (PayoutMethod.CREDIT, _("Reloop credit, kept on your Reloop account")),
            (PayoutMethod.BANK, _("Bank transfer to my account")),
        ],
        widget=forms.RadioSelect,
        initial=PayoutMethod.CREDIT,
    )
    account_holder = forms.CharField(label=_("Account holder"), required=False, max_length=120)
    iban = forms.CharField(
        label=_("IBAN"),
        required=False,
        max_length=42,
        help_text=_("Only for a bank transfer. We check it before you ship."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    packed = forms.BooleanField(
        label=_("I have backed up and erased my device, and removed my SIM and memory cards."), required=True
    )


class ReceiveForm(forms.Form):
    identifier = forms.CharField(
        label=_("IMEI or serial number"),
        max_length=60,
        help_text=_(
            "Dial *#06# or look in Settings → General → About. We check the IMEI's check digit and blocklists."
        ),
    )


class MoneyField(forms.CharField):
    """An amount in major units (``125.50``) read into minor units of ``currency``."""

    def __init__(self, *args: Any, currency: str = "EUR", **kwargs: Any) -> None:
        self.currency = currency
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if value in ("", None):
            return None
        try:
            return Money.from_major(str(value).replace(",", ".").strip(), self.currency).amount
        except (InvalidAmount, ValueError, ArithmeticError):
            raise forms.ValidationError(_("Enter an amount such as 125.50")) from None


class CounterOfferForm(forms.Form):
    condition_found = forms.ChoiceField(label=_("Condition found"), choices=Condition.choices)
    reason = forms.CharField(label=_("What you found"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(label=_("Photos (up to 5)"), required=False)

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"] = MoneyField(
            label=_("Your new offer (%(currency)s)") % {"currency": currency}, currency=currency, max_length=20
        )
        self.order_fields(["condition_found", "amount", "reason", "photos"])


class ReturnForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"))
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=40)

    def __init__(self, *args: Any, market: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = carrier_choices(market)  # type: ignore[attr-defined]


class WorkForm(forms.Form):
    battery_health = forms.IntegerField(label=_("Battery health (%)"), min_value=1, max_value=100, required=False)
    battery_cycles = forms.IntegerField(label=_("Battery cycle count"), min_value=0, required=False)
    battery_replaced = forms.BooleanField(label=_("Battery replaced"), required=False)
    parts_replaced = forms.CharField(
        label=_("Parts replaced"), required=False, max_length=500, help_text=_("One per line, e.g. screen (OEM)")
    )
    tests_passed = forms.CharField(
        label=_("Tests passed"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line"),
    )
    erasure_certificate = forms.CharField(
        label=_("Data erasure certificate reference"),
        max_length=80,
        required=False,
        help_text=_("From your erasure software (NIST SP 800-88)"),
    )

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "battery_health": data.get("battery_health"),
            "battery_cycles": data.get("battery_cycles"),
            "battery_replaced": data.get("battery_replaced"),
            "parts_replaced": [p for p in (data.get("parts_replaced") or "").splitlines() if p.strip()],
            "tests_passed": [t for t in (data.get("tests_passed") or "").splitlines() if t.strip()],
            "erasure_certificate": data.get("erasure_certificate") or "",
        }


class BidForm(forms.Form):
    variant = forms.IntegerField(label=_("Variant id"), min_value=1)
    condition = forms.ChoiceField(label=_("Condition"), choices=Condition.choices)
    market = forms.ChoiceField(label=_("Market"))
    price = forms.CharField(label=_("Buy price"), max_length=20, help_text=_("In the market's currency, e.g. 180.00"))

    def __init__(self, *args: Any, markets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["market"].choices = markets  # type: ignore[attr-defined]


class BidCsvForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("Columns: variant_id,condition,market,price"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("clear_check", _("Clear the failed check (proof received)")),
            ("reject", _("Refuse the device (failed check)")),
            ("validate", _("Validate at the quoted price (refurbisher's expense)")),
            ("send_back", _("Send the device back to the customer")),
            ("retry_payout", _("Retry the bank transfer")),
        ],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
