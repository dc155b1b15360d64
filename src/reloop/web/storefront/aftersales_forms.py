"""Forms of the buyer's after-sales pages (open a case, ship the unit back, dispute a refusal): they parse
input; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reloop.aftersales.domain import MAX_DESCRIPTION, MAX_NOTE, Reason
from reloop.fulfillment.carriers import carrier_choices
from reloop.web.form_parts import PhotosField


class OpenCaseForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong?"), widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happens, since when, and what you already tried. The seller and Reloop read it."),
    )
    photos = PhotosField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to 5 photos (JPEG, PNG or WebP), 5 MB each."),
    )
    battery_reading = forms.IntegerField(
        label=_("Battery health your device shows (%)"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_(
            "Only for “Battery below the guaranteed floor”: the maximum capacity in your device's battery "
            "settings, in percent."
        ),
    )

    def __init__(self, *args: Any, reasons: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [(value, Reason(value).label) for value in reasons]  # type: ignore[attr-defined]


class ShipBackForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"))
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60)

    def __init__(self, *args: Any, market: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = [("", _("Choose…")), *carrier_choices(market)]  # type: ignore[attr-defined]


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you disagree?"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )
