"""Forms of the customer's trade-in pages: the questionnaire and accepting a quote. They only parse; the rules
(IBAN check digits, photo types by their bytes) are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reloop.buyback.domain import Answers, Body, PayoutMethod, Screen
from reloop.catalog.models import Variant

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
