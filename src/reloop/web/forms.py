from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from reloop.catalog.grading import BatteryTier, Grade, PartsProvenance
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
        values = cast(QueryDict, self.data).getlist("storage")
        return [int(s) for s in values if s.isascii() and s.isdigit() and len(s) < 7][:20]

    def clean_sort(self) -> str:
        sort = self.cleaned_data.get("sort") or "recent"
        return sort if sort in BROWSE_SORTS else "recent"

    def normalized_query(self) -> QueryDict:
        """The valid filters in a canonical order: the cache key and the base of every link on the page."""
        data = self.cleaned_data
        query = QueryDict(mutable=True)
        if data.get("q"):
            query["q"] = data["q"]
        for brand in sorted(set(data.get("brand") or [])):
            query.appendlist("brand", brand)
        for gb in sorted(set(data.get("storage") or [])):
            query.appendlist("storage", str(gb))
        for name in ("grade", "sort"):
            if data.get(name) and not (name == "sort" and data[name] == "recent"):
                query[name] = data[name]
        if data.get("page") and data["page"] > 1:
            query["page"] = str(data["page"])
        return query


@dataclass(frozen=True)
class ProductChoiceForm:
    """The buyer's choices on a product page (grade, battery, parts), unknown values dropped."""

    grade: str = ""
    battery: str = ""
    parts: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> ProductChoiceForm:
        def pick(name: str, allowed: list[str]) -> str:
            value = query.get(name, "")
            return value if value in allowed else ""

        return cls(
            pick("grade", Grade.values), pick("battery", BatteryTier.values), pick("parts", PartsProvenance.values)
        )

    def query(self) -> QueryDict:
        query = QueryDict(mutable=True)
        for name in ("grade", "battery", "parts"):
            if getattr(self, name):
                query[name] = getattr(self, name)
        return query


class CheckoutForm(forms.Form):
    """A shipping method per seller and a card, plus the attempt's idempotency key. The delivery address is the
    accounts ``AddressForm`` of the market's country, shown beside it (same fields and rules as the account page).
    """

    card_number = forms.CharField(
        label=_("Card number"),
        max_length=23,
        widget=forms.TextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, market: Any, review: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.market = market
        self.parts = review.parts
        for part in review.parts:
            self.fields[f"shipping_{part.seller.pk}"] = forms.ChoiceField(
                label=part.seller.name,
                choices=[(o.method, o.label) for o in part.options],
                initial=part.options[0].method,
                widget=forms.RadioSelect,
            )

    def clean_card_number(self) -> str:
        digits = "".join(c for c in self.cleaned_data["card_number"] if not c.isspace() and c != "-")
        if not (digits.isascii() and digits.isdigit()) or not 12 <= len(digits) <= 19:
            raise forms.ValidationError(_("Enter the 12 to 19 digits of your card number"))
        return digits

    def shipping_choices(self) -> dict[int, str]:
        return {part.seller.pk: self.cleaned_data[f"shipping_{part.seller.pk}"] for part in self.parts}

    def shipping_fields(self) -> list[Any]:
        return [self[f"shipping_{part.seller.pk}"] for part in self.parts]
