"""The operators' moderation forms: hide a review (with a reason) or restore it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reloop.reviews import domain


class HideForm(forms.Form):
    review = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("Reason (kept in the record, shown to the seller)"),
        min_length=domain.MIN_HIDE_REASON,
        max_length=domain.MAX_HIDE_REASON,
        strip=True,
    )


class RestoreForm(forms.Form):
    review = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
