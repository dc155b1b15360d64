from __future__ import annotations

from typing import cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from reloop.catalog.grading import Grade
from reloop.pricing.selectors import BROWSE_SORTS


class BrowseForm(forms.Form):
    """The filters of a category or search page, read from the query string."""

    q = forms.CharField(required=False, max_length=100, label=_("Search"))
    brand = forms.Field(required=False, widget=forms.MultipleHiddenInput, label=_("Brand"))
    storage = forms.Field(required=False, widget=forms.MultipleHiddenInput, label=_("Storage"))
    sort = forms.ChoiceField(
        required=False,
        label=_("Sort by"),
        choices=[
            ("recent", _("Newest models")),
            ("price", _("Price: low to high")),
            ("-price", _("Price: high to low")),
            ("name", _("Name")),
        ],
    )
    grade = forms.ChoiceField(required=False, label=_("Grade"), choices=[("", _("Any grade")), *Grade.choices])
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def clean_brand(self) -> list[str]:
        return [b for b in cast(QueryDict, self.data).getlist("brand") if b.replace("-", "").isalnum()][:20]

    def clean_storage(self) -> list[int]:
        return [int(s) for s in cast(QueryDict, self.data).getlist("storage") if s.isdigit() and len(s) < 7][:20]

    def clean_sort(self) -> str:
        sort = self.cleaned_data.get("sort") or "recent"
        return sort if sort in BROWSE_SORTS else "recent"
