"""The operator's legal forms: the draft editor of a legal text and the decision on a DSA notice."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reloop.legal import domain


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
