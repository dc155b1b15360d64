"""The operator's decision on an escalated after-sales case."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reloop.aftersales.domain import MAX_NOTE
from reloop.web.form_parts import AmountMixin


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
