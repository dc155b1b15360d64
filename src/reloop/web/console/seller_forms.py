"""The operator's seller-vetting forms: reject an application with a reason, filter the applications."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reloop.sellers.domain import MAX_LENGTHS
from reloop.sellers.models import ApplicationStatus


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason given to the applicant"),
        max_length=MAX_LENGTHS["rejection_reason"],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *list(ApplicationStatus.choices)]
    )
