"""The operator's decision on a trade-in escalated by its customer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("clear_check", _("Clear the failed check (proof received)")),
            ("reject", _("Refuse the device (failed check)")),
            ("validate", _("Validate at the quoted price (refurbisher's expense)")),
            ("send_back", _("Send the device back to the customer")),
            ("retry_payout", _("Retry the bank transfer")),
        ],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
