from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from reloop.catalog.grading import BatteryTier, Grade, PartsProvenance
from reloop.legal.domain import kinds_for_country
from reloop.pricing.selectors import BROWSE_SORTS


class BrowseForm(forms.Form):
    """The filters of a category or search page, read from the query string (unknown values dropped)."""

    q = forms.CharField(required=False, max_length=100, label=_("Search"))
    brand = forms.Field(required=False, widget=forms.MultipleHiddenInput, label=_("Brand"))
    storage = forms.Field(required=False, widget=forms.MultipleHiddenInput, label=_("Storage"))
    colour = forms.Field(required=False, widget=forms.MultipleHiddenInput, label=_("Colour"))
    layout = forms.Field(required=False, widget=forms.MultipleHiddenInput, label=_("Keyboard layout"))
    year = forms.Field(required=False, widget=forms.MultipleHiddenInput, label=_("Release year"))
    network = forms.ChoiceField(required=False, label=_("Network"), choices=[("", "-"), ("5g", "5G")])
    price = forms.CharField(required=False, max_length=20, label=_("Price"))
    sort = forms.ChoiceField(
        required=False,
        label=_("Sort by"),
        choices=[
            ("relevance", _("Relevance")),
            ("recent", _("Newest models")),
            ("price", _("Price: low to high")),
            ("-price", _("Price: high to low")),
            ("name", _("Name")),
        ],
    )
    grade = forms.ChoiceField(required=False, label=_("Grade"), choices=[("", _("Any grade")), *Grade.choices])
    battery = forms.ChoiceField(
        required=False, label=_("Battery"), choices=[("", _("Any battery")), *BatteryTier.choices]
    )
    updates = forms.IntegerField(required=False, min_value=2000, max_value=2100, label=_("Security updates"))
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def clean_brand(self) -> list[str]:
        return [b for b in cast(QueryDict, self.data).getlist("brand") if b.replace("-", "").isalnum()][:20]

    def clean_storage(self) -> list[int]:
        values = cast(QueryDict, self.data).getlist("storage")
        return [int(s) for s in values if s.isascii() and s.isdigit() and len(s) < 7][:20]

    def _texts(self, name: str) -> list[str]:
        values = cast(QueryDict, self.data).getlist(name)
        return [v for v in values if 0 < len(v) <= 60 and "\x00" not in v and v.isprintable()][:20]

    def clean_colour(self) -> list[str]:
        return self._texts("colour")

    def clean_layout(self) -> list[str]:
        return self._texts("layout")

    def clean_year(self) -> list[int]:
        values = cast(QueryDict, self.data).getlist("year")
        return [int(y) for y in values if y.isascii() and y.isdigit() and len(y) == 4][:20]

    def clean_price(self) -> str:
        value = self.cleaned_data.get("price") or ""
        low, _, high = value.partition("-")
        ok = value.count("-") == 1 and all(p == "" or (p.isascii() and p.isdigit()) for p in (low, high))
        return value if ok else ""

    def clean_sort(self) -> str:
        sort = self.cleaned_data.get("sort") or ""
        default = "relevance" if self.data.get("q") else "recent"
        return sort if sort in BROWSE_SORTS or sort == "relevance" else default

    def normalized_query(self) -> QueryDict:
        """The valid filters in a canonical order: the cache key and the base of every link on the page."""
        data = self.cleaned_data
        query = QueryDict(mutable=True)
        if data.get("q"):
            query["q"] = data["q"]
        for name in ("brand", "storage", "colour", "layout", "year"):
            for value in sorted(set(data.get(name) or [])):
                query.appendlist(name, str(value))
        default_sort = "relevance" if data.get("q") else "recent"
        for name in ("network", "price", "grade", "battery", "updates", "sort"):
            if data.get(name) and not (name == "sort" and data[name] == default_sort):
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
    """A shipping method per seller, how to pay (at once or the provider's instalments), the total the buyer was
    shown and the attempt's idempotency key. No card field: the buyer gives the card to the payment provider, on
    its own page. The delivery address is the accounts ``AddressForm`` of the market's country, shown beside it.
    """

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    expected_total = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, market: Any, review: Any, plans: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.market = market
        self.parts = review.parts
        for part in review.parts:
            self.fields[f"shipping_{part.seller.pk}"] = forms.ChoiceField(
                label=part.seller.name,
                choices=[(o.method, o.label) for o in part.options],
                initial=part.options[0].method,
                required=False,  # none chosen: the first (standard, free) option
                widget=forms.RadioSelect,
            )
        self.fields["instalments"] = forms.TypedChoiceField(
            label=_("How to pay"),
            choices=[
                (1, _("Pay in full")),
                *[
                    (
                        p.count,
                        _("Pay in %(n)s instalments (the first %(first)s)")
                        % {"n": p.count, "first": p.first.format(market.locale)},
                    )
                    for p in plans
                ],
            ],
            coerce=int,
            initial=1,
            required=False,
            empty_value=1,  # type: ignore[arg-type]  # the stubs want a str; 1 is "pay in full"
            widget=forms.RadioSelect,
        )

        # Which version of the terms of sale the buyer accepts is recorded by reloop.legal with the order.
        self.fields["accept_terms"] = forms.BooleanField(
            label=_("I accept the terms of sale"),
            error_messages={"required": _("Accept the terms of sale to pay.")},
            help_text=format_html_join(
                " · ",
                '<a href="{}" target="_blank" rel="noopener">{}</a>',
                [
                    (reverse("web:legal", args=[kind]), label)
                    for kind, label in (
                        ("terms-of-sale", _("Read the terms of sale")),
                        ("withdrawal-form", _("Model withdrawal form")),
                    )
                    if kind in kinds_for_country(market.country)
                ],
            ),
        )

    def chosen_shipping(self) -> dict[int, str]:
        """The shipping the buyer has picked so far (valid choices only), for the total shown before paying."""
        chosen: dict[int, str] = {}
        for part in self.parts:
            value = self.data.get(f"shipping_{part.seller.pk}") if self.is_bound else None
            if isinstance(value, str) and value in {o.method for o in part.options}:
                chosen[part.seller.pk] = value
        return chosen

    def shipping_choices(self) -> dict[int, str]:
        return {
            part.seller.pk: self.cleaned_data.get(f"shipping_{part.seller.pk}") or part.options[0].method
            for part in self.parts
        }

    def shipping_fields(self) -> list[Any]:
        return [self[f"shipping_{part.seller.pk}"] for part in self.parts]
