"""Back-office forms: they parse what a seller typed into the values the offers services take.

The rules themselves live in ``offers.services`` (``check_offer_terms``, ``check_prices``, ``check_stock``); the
forms call those checks so that a refused value is shown next to the field it concerns, before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from reloop.catalog.grading import BatteryTier, Grade, PartsProvenance
from reloop.core.errors import DomainError
from reloop.core.money import Money
from reloop.devices.services import check_unit_id, identification_for
from reloop.fulfillment.carriers import carrier_choices
from reloop.markets.data import Market
from reloop.markets.registry import enabled_markets
from reloop.offers.errors import InvalidOffer
from reloop.offers.models import VatScheme
from reloop.offers.selectors import OFFER_SORTS, OfferFilters
from reloop.offers.services import (
    MAX_DISPATCH_DAYS,
    MAX_STOCK,
    MAX_WARRANTY_MONTHS,
    OfferTerms,
    check_offer_terms,
    check_prices,
    check_sku,
)
from reloop.orders.models import OrderLine
from reloop.pricing.selectors import MARKET_FILTERS

YES_NO = {"yes": True, "no": False}


def market_choices() -> list[tuple[str, str]]:
    return [(m.code, f"{m.country_name} ({m.currency})") for m in enabled_markets()]


class OfferFilterForm(forms.Form):
    """The offers table's filters, read from the query string; an invalid value is treated as "any"."""

    q = forms.CharField(required=False, max_length=100, label=_("SKU or product"))
    market = forms.ChoiceField(required=False, label=_("Market"))
    grade = forms.ChoiceField(required=False, label=_("Grade"), choices=[("", _("Any grade")), *Grade.choices])
    stock = forms.ChoiceField(
        required=False, label=_("Stock"), choices=[("", _("Any")), ("yes", _("In stock")), ("no", _("Out of stock"))]
    )
    active = forms.ChoiceField(
        required=False, label=_("Status"), choices=[("", _("Any")), ("yes", _("Active")), ("no", _("Inactive"))]
    )
    buybox = forms.ChoiceField(
        required=False,
        label=_("In this market"),
        choices=[
            ("", _("Any")),
            ("sold", _("Sold here")),
            ("won", _("Winning the buy box")),
            ("lost", _("Losing the buy box")),
            ("unsold", _("Not sold here")),
        ],
    )
    sort = forms.ChoiceField(
        required=False,
        label=_("Sort by"),
        choices=[
            ("sku", _("SKU")),
            ("product", _("Product")),
            ("stock", _("Stock: low to high")),
            ("-stock", _("Stock: high to low")),
            ("price", _("Price: low to high")),
            ("-price", _("Price: high to low")),
            ("-updated", _("Recently changed")),
        ],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def __init__(self, *args: Any, default_market: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_market = default_market
        cast(forms.ChoiceField, self.fields["market"]).choices = market_choices()

    def _value(self, name: str) -> Any:
        """The cleaned value of ``name``, or empty when it did not validate (a stale link shows everything)."""
        if name in self.errors:
            return ""
        return self.cleaned_data.get(name) or ""

    @property
    def selected_market(self) -> str:
        return self._value("market") or self.default_market

    @property
    def market_status(self) -> str:
        status = self._value("buybox")
        return status if status in MARKET_FILTERS else ""

    @property
    def page_number(self) -> int:
        return int(self._value("page") or 1)

    def offer_filters(self) -> OfferFilters:
        sort = self._value("sort")
        return OfferFilters(
            query=self._value("q"),
            grade=self._value("grade"),
            in_stock=YES_NO.get(self._value("stock")),
            active=YES_NO.get(self._value("active")),
            sort=sort if sort in OFFER_SORTS else "sku",
        )


def _money_field(market: Market, *, required: bool = False, label: Any = None) -> forms.DecimalField:
    return forms.DecimalField(
        required=required,
        label=label or format_lazy("{name} ({currency})", name=market.country_name, currency=market.currency),
        min_value=Decimal("0.01") if market.currency != "JPY" else Decimal(1),
        max_digits=12,
        decimal_places=0 if market.currency == "JPY" else 2,
        widget=forms.NumberInput(attrs={"step": "1" if market.currency == "JPY" else "0.01", "inputmode": "decimal"}),
    )


def _domain_error(form: forms.Form, field: str | None, exc: DomainError) -> None:
    form.add_error(field, exc.message)


class OfferRowForm(forms.Form):
    """Inline edit of one row of the offers table: its stock and its price in the table's market.

    An empty price means "not sold in this market" (the price there is removed).
    """

    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=MAX_STOCK)
    price = forms.DecimalField(label=_("Price"), required=False, max_digits=12, decimal_places=2, min_value=0)
    market = forms.ChoiceField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, offer_id: int, **kwargs: Any) -> None:
        # Each row's inputs sit in several table cells, tied to the row's <form> by the HTML ``form`` attribute.
        kwargs["auto_id"] = f"id_row{offer_id}_%s"
        super().__init__(*args, **kwargs)
        self.html_id = f"row-form-{offer_id}"
        cast(forms.ChoiceField, self.fields["market"]).choices = market_choices()
        for field in self.fields.values():
            field.widget.attrs["form"] = self.html_id
        self.fields["stock"].widget.attrs.update(inputmode="numeric", size="5")
        self.fields["price"].widget.attrs.update(inputmode="decimal", step="0.01", size="8")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "market" not in data or data.get("price") is None:
            return data
        market = next(m for m in enabled_markets() if m.code == data["market"])
        try:
            money = Money.from_major(data["price"], market.currency)
            check_prices({market.code: money})
        except DomainError as exc:
            _domain_error(self, "price", exc)
        else:
            data["money"] = money
        return data


#: Which field an offers-service error code belongs to.
TERMS_ERROR_FIELDS = {
    "invalid_grade": "grade",
    "invalid_battery_tier": "battery_tier",
    "invalid_parts_provenance": "parts_provenance",
    "invalid_replaced_parts": "replaced_parts",
    "invalid_warranty": "warranty_months",
    "invalid_dispatch_days": "dispatch_days",
    "invalid_vat_scheme": "vat_scheme",
    "invalid_sku": "sku",
    "duplicate_sku": "sku",
    "invalid_stock": "stock",
}


def field_for(exc: DomainError) -> str | None:
    return TERMS_ERROR_FIELDS.get(exc.code)


TERMS_FIELDS = (
    "grade",
    "battery_tier",
    "parts_provenance",
    "replaced_parts",
    "warranty_months",
    "dispatch_days",
    "vat_scheme",
)


class OfferTermsForm(forms.Form):
    """What a seller states about an offer's condition and service (the variant never changes)."""

    grade = forms.ChoiceField(label=_("Cosmetic grade"), choices=Grade.choices)
    battery_tier = forms.ChoiceField(label=_("Battery"), choices=BatteryTier.choices)
    parts_provenance = forms.ChoiceField(label=_("Parts"), choices=PartsProvenance.choices)
    replaced_parts = forms.CharField(
        label=_("Replaced parts"),
        required=False,
        max_length=300,
        help_text=_("Separated by commas, e.g. screen, battery. Leave empty when all parts are original."),
    )
    warranty_months = forms.IntegerField(label=_("Warranty (months)"), min_value=12, max_value=MAX_WARRANTY_MONTHS)
    dispatch_days = forms.IntegerField(
        label=_("Dispatch days"),
        min_value=0,
        max_value=MAX_DISPATCH_DAYS,
        help_text=_("Business days between payment and handing the parcel to the carrier."),
    )
    vat_scheme = forms.ChoiceField(label=_("VAT scheme"), choices=VatScheme.choices)

    def clean_replaced_parts(self) -> tuple[str, ...]:
        raw = self.cleaned_data.get("replaced_parts") or ""
        return tuple(dict.fromkeys(p.strip() for p in raw.split(",") if p.strip()))

    def terms(self, variant_id: int) -> OfferTerms:
        d = self.cleaned_data
        return OfferTerms(
            variant_id=variant_id,
            grade=d["grade"],
            battery_tier=d["battery_tier"],
            parts_provenance=d["parts_provenance"],
            replaced_parts=d["replaced_parts"],
            warranty_months=d["warranty_months"],
            dispatch_days=d["dispatch_days"],
            vat_scheme=d["vat_scheme"],
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not any(name in self.errors for name in TERMS_FIELDS):
            try:
                check_offer_terms(self.terms(0))
            except InvalidOffer as exc:
                self.add_error(field_for(exc), exc.message)
        return data

    @staticmethod
    def initial_for(offer: Any) -> dict[str, Any]:
        return {
            "grade": offer.grade,
            "battery_tier": offer.battery_tier,
            "parts_provenance": offer.parts_provenance,
            "replaced_parts": ", ".join(offer.replaced_parts),
            "warranty_months": offer.warranty_months,
            "dispatch_days": offer.dispatch_days,
            "vat_scheme": offer.vat_scheme,
        }


class StockForm(forms.Form):
    stock = forms.IntegerField(label=_("Units in stock"), min_value=0, max_value=MAX_STOCK)


class PricesForm(forms.Form):
    """One price per open market; an empty price means the offer is not sold in that market."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.markets = enabled_markets()
        for market in self.markets:
            self.fields[f"price_{market.code}"] = _money_field(market)

    def price_field(self, market: Market) -> forms.BoundField:
        return self[f"price_{market.code}"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        prices: dict[str, Money] = {}
        for market in self.markets:
            name = f"price_{market.code}"
            value = data.get(name)
            if value is None or name in self.errors:
                continue
            try:
                money = Money.from_major(value, market.currency)
                check_prices({market.code: money})
            except DomainError as exc:
                _domain_error(self, name, exc)
            else:
                prices[market.code] = money
        data["prices"] = prices
        data["removed"] = [m.code for m in self.markets if data.get(f"price_{m.code}") is None]
        return data

    @staticmethod
    def initial_for(offer: Any) -> dict[str, Any]:
        return {f"price_{p.market}": Money(p.amount, p.currency).to_major() for p in offer.prices.all()}


class NewOfferForm(OfferTermsForm, PricesForm):
    """A new offer of one variant: SKU, terms, stock and the prices of the markets it is sold in."""

    sku = forms.CharField(
        label=_("Your SKU"), max_length=64, help_text=_("Your own reference for this offer, without spaces.")
    )
    stock = forms.IntegerField(label=_("Units in stock"), min_value=0, max_value=MAX_STOCK)

    field_order = ["sku", "grade", "battery_tier", "parts_provenance", "replaced_parts", "warranty_months"]

    def clean_sku(self) -> str:
        try:
            return check_sku(self.cleaned_data.get("sku") or "")
        except InvalidOffer as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean()  # OfferTermsForm.clean, then PricesForm.clean (the MRO)
        if not data.get("prices") and not any(f.startswith("price_") for f in self.errors):
            self.add_error(None, _("Give a price in at least one market: an offer without prices is not sold."))
        return data


# --- Orders -----------------------------------------------------------------------------------------------


class OrderFilterForm(forms.Form):
    """The orders queue's filters, read from the query string; an invalid value is treated as "any"."""

    q = forms.CharField(required=False, max_length=40, label=_("Order number or SKU"))
    market = forms.ChoiceField(required=False, label=_("Market"))
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["market"]).choices = [("", _("All markets")), *market_choices()]

    def value(self, name: str) -> Any:
        if name in self.errors:
            return ""
        return self.cleaned_data.get(name) or ""


class CancelOrderForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The buyer sees it. A cancellation counts against your quality score."),
    )


class ShipOrderForm(forms.Form):
    """Carrier, tracking number and one IMEI or serial per unit of every line still to ship (none for a line whose
    category identifies units by nothing, such as a game: the platform numbers those units when it ships).

    Each unit is checked as the shipping service will check it (an IMEI's Luhn digit, a serial's format) so that
    an error is shown on the unit it concerns; the service checks everything again before it writes.
    """

    carrier = forms.ChoiceField(label=_("Carrier"))
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60)

    def __init__(self, *args: Any, lines: Sequence[OrderLine], market: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        carriers = [("", _("Choose a carrier")), *carrier_choices(market)]
        cast(forms.ChoiceField, self.fields["carrier"]).choices = carriers
        self.unit_fields: list[tuple[OrderLine, list[str]]] = []
        self._imei_required: dict[str, bool] = {}
        for line in lines:
            names: list[str] = []
            identification = identification_for(line.variant)
            imei = identification == "imei"
            for n in range(1, (0 if identification == "none" else line.quantity) + 1):
                name = f"unit_{line.pk}_{n}"
                label = _("IMEI of unit %(n)s") if imei else _("IMEI or serial of unit %(n)s")
                self.fields[name] = forms.CharField(
                    label=label % {"n": n},
                    max_length=60,
                    widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                )
                self._imei_required[name] = imei
                names.append(name)
            self.unit_fields.append((line, names))

    def unit_rows(self) -> list[tuple[OrderLine, list[forms.BoundField]]]:
        return [(line, [self[name] for name in names]) for line, names in self.unit_fields]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        seen: dict[tuple[str, str], str] = {}
        units: dict[int, list[str]] = {}
        for line, names in self.unit_fields:
            units[line.pk] = []
            for name in names:
                raw = (data.get(name) or "").strip()
                if name in self.errors:
                    continue
                try:
                    unit = check_unit_id(raw=raw, imei_required=self._imei_required[name])
                except DomainError as exc:
                    self.add_error(name, exc.message)
                    continue
                if (unit.kind, unit.value) in seen:
                    self.add_error(name, _("Already given for another unit: each unit has its own IMEI or serial"))
                    continue
                seen[(unit.kind, unit.value)] = name
                units[line.pk].append(raw)
        data["units"] = units
        return data


#: Which ship-form field a shipping-service error code belongs to.
SHIP_ERROR_FIELDS = {"unknown_carrier": "carrier", "invalid_tracking_number": "tracking_number"}
