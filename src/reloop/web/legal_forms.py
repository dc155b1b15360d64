"""Forms of the legal pages: the DSA notice, the operator's draft editor and notice decision."""

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


class DraftForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=domain.MAX_TITLE)
    body = forms.CharField(
        label=_("Text"),
        max_length=domain.MAX_BODY,
        strip=False,
        help_text=_(
            "A blank line starts a paragraph; “## ” a heading; “- ” a list item; **bold**; [text](https://…). "
            "Placeholders such as {{ operator_name }} are filled from the platform's settings."
        ),
        widget=forms.Textarea(attrs={"rows": 24, "class": "mono"}),
    )
    change_note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=domain.NOTICE_DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reasons (sent to the reporter)"),
        max_length=domain.MAX_EXPLANATION,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
