"""Forms of the refurbisher's trade-in pages: receive, counter-offer, return, record the work, buy prices.
They only parse; the rules (amounts below the quote, photo types by their bytes) are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reloop.buyback.domain import Condition
from reloop.core.money import InvalidAmount, Money
from reloop.fulfillment.carriers import carrier_choices
from reloop.web.form_parts import PhotosField


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
