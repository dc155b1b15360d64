"""Forms of the after-sales pages (buyer, seller, operator): they parse input; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from reloop.aftersales.domain import MAX_DESCRIPTION, MAX_MESSAGE, MAX_NOTE, MAX_PHOTO_BYTES, MAX_PHOTOS, Reason
from reloop.aftersales.services import Photo
from reloop.core.money import InvalidAmount, Money
from reloop.fulfillment.carriers import carrier_choices


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to five image files; their type and size are checked by the service (by their bytes)."""

    widget = MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("Attach at most %(count)s photos.") % {"count": MAX_PHOTOS})
        for item in files:
            if item.size and item.size > MAX_PHOTO_BYTES:  # refused before reading it into memory
                raise forms.ValidationError(
                    _("%(name)s is larger than %(size)s MB.") % {"name": item.name, "size": MAX_PHOTO_BYTES // 2**20}
                )
        return files


def photos_of(files: list[UploadedFile]) -> list[Photo]:
    return [Photo(name=item.name or "photo", content=item.read()) for item in files]


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


class NoteForm(forms.Form):
    """One text: a dispute's reason, a message."""

    body = forms.CharField(label=_("Message"), max_length=MAX_MESSAGE, widget=forms.Textarea(attrs={"rows": 3}))


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you disagree?"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )


ANSWER_CHOICES = [
    ("accept", _("Accept: the buyer sends it back and is refunded")),
    ("offer_repair", _("Offer a repair")),
    ("offer_replacement", _("Offer a replacement")),
    ("refuse", _("Refuse, with a reason")),
]


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("Your answer"), choices=ANSWER_CHOICES, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Return instructions, or why you refuse"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Where and how to send it back (a prepaid label, the address), or the reason for a refusal."),
    )


class AmountMixin(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to refund"),
        required=False,
        min_value=0,
        decimal_places=3,
        help_text=_("Leave empty to refund everything still refundable on the item."),
    )

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency

    def money(self) -> Money | None:
        value = self.cleaned_data.get("amount")
        if value is None:
            return None
        try:
            return Money.from_major(value, self.currency)
        except InvalidAmount as error:
            self.add_error("amount", str(error))
            return None


class RefundForm(AmountMixin):
    note = forms.CharField(label=_("Note to the buyer"), required=False, max_length=MAX_NOTE)


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("What did you do?"),
        choices=[("repaired", _("Repaired")), ("replaced", _("Replaced"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("What was done, and the tracking number of the parcel back"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecideForm(AmountMixin):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("refund", _("Refund the buyer at the seller's expense")), ("close", _("Close with no remedy"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Why (posted in the thread for both parties)"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
