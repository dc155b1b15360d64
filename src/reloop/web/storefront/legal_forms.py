"""The DSA notice form of the storefront (report illegal content)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reloop.legal import domain


class NoticeForm(forms.Form):
    """A notice of illegal content with the elements of DSA art. 16(2); the rules are in ``legal.domain``."""

    category = forms.ChoiceField(
        label=_("What kind of illegal content is it?"),
        choices=[("", _("Choose…")), *domain.NOTICE_CATEGORIES],
    )
    listing_url = forms.CharField(
        label=_("Address (URL) of the listing"),
        max_length=500,
        help_text=_("Copy it from your browser's address bar, e.g. the product page of the offer."),
        widget=forms.URLInput(attrs={"inputmode": "url", "spellcheck": "false"}),
    )
    explanation = forms.CharField(
        label=_("Why is this content illegal?"),
        max_length=domain.MAX_EXPLANATION,
        help_text=_("Say what is illegal and why, as precisely as you can (at least 20 characters)."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    reporter_name = forms.CharField(
        label=_("Your name"), max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    reporter_email = forms.EmailField(
        label=_("Your email address"),
        required=False,
        help_text=_("We send the confirmation of receipt and our decision there."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    good_faith = forms.BooleanField(
        label=_(
            "I believe in good faith that the information and allegations in this notice are accurate and complete."
        ),
        required=False,
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    offer = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**62)
