"""Forms of the seller's after-sales pages (answer, refund, resolve): they parse input; the services hold the
rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reloop.aftersales.domain import MAX_NOTE
from reloop.web.form_parts import AmountMixin

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
