"""The seller's public reply to a review."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reloop.reviews import domain


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your public reply"),
        max_length=domain.MAX_REPLY,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
