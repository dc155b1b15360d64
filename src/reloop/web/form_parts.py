"""Form parts every audience's pages use: the photo upload field, a message to a case's thread, an amount in
the case's currency, a service's errors by field. They parse input; the services hold the rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from reloop.aftersales.domain import MAX_MESSAGE, MAX_PHOTO_BYTES, MAX_PHOTOS
from reloop.aftersales.services import Photo
from reloop.core.money import InvalidAmount, Money


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


def add_field_errors(form: forms.Form, field_errors: Mapping[str, Any]) -> None:
    """A service's errors by field onto the form: each under its field, or above the form for a field the form
    does not show."""
    for field, errors in field_errors.items():
        form.add_error(field if field in form.fields else None, errors)


class NoteForm(forms.Form):
    """One text: a dispute's reason, a message."""

    body = forms.CharField(label=_("Message"), max_length=MAX_MESSAGE, widget=forms.Textarea(attrs={"rows": 3}))


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
